package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/store/migrate"
)

// cmdMigrateDB copies a SQLite database into PostgreSQL and verifies the
// copy (internal/store/migrate). Exit 0: copied and verified, or already
// migrated and verified; 1: refused or failed, the target unchanged.
func cmdMigrateDB(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "SQLite database file to copy (stop the server using it first)")
	to := fs.String("to", "", "postgres:// URL of the database to copy into: empty, or already holding this copy")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad migrate-db --from FILE --to postgres://...\n\nCopies every table of a SQLite database into a PostgreSQL database in one\nconsistent pass and verifies the copy (row counts and a digest per table).\nRe-running it is safe: a target holding the same data is verified again;\na target holding other data is refused, never merged or overwritten.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	res, err := migrate.Run(ctx, *from, *to)
	if err != nil {
		if errors.Is(err, migrate.ErrTargetDiffers) {
			fmt.Fprintf(stderr, "dyad migrate-db: refused: %s: %v\n", store.Describe(*to), err)
		} else {
			fmt.Fprintf(stderr, "dyad migrate-db: %v\n", err)
		}
		return 1
	}
	for _, s := range res.Sums {
		fmt.Fprintf(stdout, "%-12s %8d rows  sha256 %x\n", s.Table, s.Rows, s.Digest)
	}
	if res.Copied {
		fmt.Fprintf(stdout, "copied %s to %s: verified, counts and digests equal\n", *from, store.Describe(*to))
	} else {
		fmt.Fprintf(stdout, "%s already migrated, verified: counts and digests equal %s\n", store.Describe(*to), *from)
	}
	fmt.Fprintf(stdout, "Invitation codes are stored as keyed hashes: serve the new database with the same key file as the old one (--key-file or DYAD_KEY_FILE: the default is %s.key beside a SQLite file but dyad.key in the working directory with a PostgreSQL URL).\n", *from)
	return 0
}
