package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"venuehop/internal/account"
	"venuehop/internal/app"
	"venuehop/internal/config"
)

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runUserWith(ctx, args, os.Stdin, stdout, stderr)
}

// runUserWith is runUser reading --password-stdin from stdin (tests pass
// their own).
func runUserWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("user", "user add EMAIL --role attendee|organizer|admin [--password-stdin] [--name NAME] [--data DIR] [--db URL]", stderr)
	cfg.StoreFlags(fs)
	role := fs.String("role", "", "attendee, organizer or admin (required)")
	name := fs.String("name", "", "display name (default: the part of the email before the @)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input; without it a strong one is generated and printed")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] != "add" {
		return usageError{"expected the subcommand add: venuehop user add EMAIL --role ROLE"}
	}
	if len(pos) != 2 {
		return usageError{"expected exactly one EMAIL after add"}
	}
	if !account.Role(*role).Valid() {
		return usageError{fmt.Sprintf("--role must be attendee, organizer or admin, got %q", *role)}
	}
	email, err := account.NormalizeEmail(pos[1])
	if err != nil {
		return usageError{err.Error()}
	}

	password, generated := "", false
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("cannot read the password from standard input: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, generated = account.GeneratePassword(), true
	}

	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	as, err := app.AccountStore(st)
	if err != nil {
		return err
	}
	u, err := account.NewService(as, account.Options{}).AddUser(ctx, email, password, *name, account.Role(*role))
	if f := account.FieldOf(err); f != "" {
		return fmt.Errorf("%s: %w", f, err)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s %s (%s, id %s)\n", u.Role, u.Email, u.Name, u.ID)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n(shown once; it is stored only as a hash)\n", password)
	}
	return nil
}

// printDemoAccounts lists the demo sign-ins at serve's start.
func printDemoAccounts(w io.Writer, list []app.DemoAccount, dataDir string) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(w, "Demo sign-ins (also in %s):\n", filepath.Join(dataDir, app.DemoAccountsFile))
	for _, d := range list {
		fmt.Fprintf(w, "  %-10s %-30s %s\n", d.Role, d.Email, d.Password)
	}
}
