package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dyad-survey/dyad/internal/account"
	"github.com/dyad-survey/dyad/internal/store"
	"github.com/dyad-survey/dyad/internal/survey"
)

// stdin is where dyad user add reads the password: a variable so that
// tests can hand one in. The password is never a flag (flags show in the
// process list and the shell history).
var stdin io.Reader = os.Stdin

// cmdUser: dyad user add --email ADDRESS [--admin] [--role ROLE] [--study ID] [--db FILE].
func cmdUser(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "Usage: dyad user add --email ADDRESS [--admin] [--role owner|editor|analyst|viewer] [--study ID] [--db FILE]")
		return 2
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "dyad.db", "database (file or postgres:// URL; env DYAD_DB)")
	email := fs.String("email", "", "the account's e-mail address (required)")
	admin := fs.Bool("admin", false, "make the account a global admin (manages accounts, owner of every study)")
	role := fs.String("role", "", "the account's role in the study: owner, editor, analyst or viewer")
	study := fs.Int64("study", survey.DefaultStudy, "the id of the study the role is in (the dashboard's studies page lists them)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad user add --email ADDRESS [--admin] [--role ROLE] [--study ID] [--db FILE]\n\nCreates a researcher account. The password is read from standard input\n(one line; type it, or pipe it from a password manager), never from a flag.")
		fs.PrintDefaults()
	}
	if v := getenv("DYAD_DB"); v != "" {
		*db = v
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	addr := strings.ToLower(strings.TrimSpace(*email))
	if !strings.Contains(addr, "@") || len(addr) > 254 || strings.ContainsAny(addr, " \t\r\n") {
		fmt.Fprintln(stderr, "dyad user add: --email must be an e-mail address")
		return 2
	}
	if *role != "" && !survey.Role(*role).Valid() {
		fmt.Fprintf(stderr, "dyad user add: --role must be one of owner, editor, analyst, viewer (not %q)\n", *role)
		return 2
	}
	fmt.Fprintf(stderr, "Password for %s (at least %d characters): ", addr, account.MinPasswordLength)
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "\ndyad user add: read the password: %v\n", err)
		return 1
	}
	fmt.Fprintln(stderr)
	password := strings.TrimRight(line, "\r\n")
	if err := account.CheckPassword(password, addr); err != nil {
		fmt.Fprintf(stderr, "dyad user add: %v\n", err)
		return 1
	}
	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "dyad user add: %v\n", err)
		return 1
	}
	defer st.Close()
	if *study != survey.DefaultStudy {
		// Another study: checked before the account is made, so that a
		// wrong id leaves nothing behind.
		if _, err := st.FindStudy(ctx, *study); err != nil {
			fmt.Fprintf(stderr, "dyad user add: --study: %v\n", err)
			return 1
		}
	}
	if err := addUser(ctx, st, addr, password, *admin, ""); err != nil {
		fmt.Fprintf(stderr, "dyad user add: %v\n", err)
		return 1
	}
	if *role != "" {
		u, err := st.FindUserByEmail(ctx, addr)
		if err == nil {
			err = st.SetMembership(ctx, survey.Membership{StudyID: *study, UserID: u.ID, Role: survey.Role(*role)})
		}
		if err != nil {
			fmt.Fprintf(stderr, "dyad user add: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "added %s\n", addr)
	return 0
}

// addUser stores an account and its role in the default study.
func addUser(ctx context.Context, st survey.Store, email, password string, admin bool, role survey.Role) error {
	hash, err := account.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	now := time.Now()
	if err := st.EnsureStudy(ctx, survey.DefaultStudy, defaultStudyName, now); err != nil {
		return err
	}
	u := &survey.User{Email: email, PasswordHash: hash, Admin: admin, CreatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		return err
	}
	if role == "" {
		return nil
	}
	return st.SetMembership(ctx, survey.Membership{StudyID: survey.DefaultStudy, UserID: u.ID, Role: role})
}

// cmdAudit: dyad audit verify [--db FILE].
func cmdAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "Usage: dyad audit verify [--db FILE]")
		return 2
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "dyad.db", "database (file or postgres:// URL; env DYAD_DB)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: dyad audit verify [--db FILE]\n\nWalks the audit trail's hash chain and reports the first row that was\nchanged or deleted. Exit status 0: intact; 1: broken (or an error).")
		fs.PrintDefaults()
	}
	if v := getenv("DYAD_DB"); v != "" {
		*db = v
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "dyad audit verify: %v\n", err)
		return 1
	}
	defer st.Close()
	r, err := survey.VerifyAudit(ctx, st)
	if err != nil {
		fmt.Fprintf(stderr, "dyad audit verify: %v\n", err)
		return 1
	}
	if r.BadID != 0 {
		fmt.Fprintf(stdout, "audit trail BROKEN at row %d: %s (%d rows before it verify)\n", r.BadID, r.Problem, r.Rows)
		return 1
	}
	fmt.Fprintf(stdout, "audit trail intact: %d rows; newest hash %s (keep it elsewhere: a later check that does not reach it means rows were removed from the end)\n",
		r.Rows, hex.EncodeToString(r.Head))
	return 0
}
