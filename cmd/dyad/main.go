// Command dyad runs the Dyad survey service and its tools.
//
//	dyad serve     run the HTTP service (API and respondent pages)
//	dyad validate  check instrument files
//	dyad convert   write an instrument file in another format
//	dyad export    write a survey's responses as CSV, codebook, syntax or zip
//	dyad health    ask a running server whether it is ready (for HEALTHCHECK)
//	dyad user      add a researcher account
//	dyad audit     verify the audit trail's hash chain
//
// main only parses arguments and environment; run holds the rest, so tests
// drive the same code without a process.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Dyad: survey instruments for clinical research.

Usage:
  dyad serve [--addr ADDR] [--db FILE] [--public-url URL]
  dyad validate FILE...
  dyad convert [--to yaml|json|redcap|fhir|xlsform] [--out FILE] FILE
  dyad backup [--db FILE] --out FILE
  dyad export --survey ID [--db FILE] [--out FILE] [--format csv|codebook|r|spss|stata|zip|redcap|fhir]
              [--layout wide|long] [--values codes|labels] [--status complete|in_progress|all]
              [--since T] [--until T] [--bom] [--excel-safe] [--line-breaks keep|space]
  dyad health [--url URL]
  dyad translate --lang LANG [--table FILLED.csv] [--out FILE] INSTRUMENT
  dyad migrate-db --from FILE --to postgres://...
  dyad user add --email ADDRESS [--admin] [--role ROLE] [--db FILE]   (password on stdin)
  dyad audit verify [--db FILE]

Run 'dyad COMMAND -h' for a command's options.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run executes one subcommand and returns the process exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], getenv, stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "convert":
		return cmdConvert(args[1:], stdout, stderr)
	case "translate":
		return cmdTranslate(args[1:], stdout, stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], getenv, stdout, stderr)
	case "export":
		return cmdExport(ctx, args[1:], getenv, stdout, stderr)
	case "health":
		return cmdHealth(ctx, args[1:], getenv, stdout, stderr)
	case "migrate-db":
		return cmdMigrateDB(ctx, args[1:], stdout, stderr)
	case "user":
		return cmdUser(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "dyad: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
