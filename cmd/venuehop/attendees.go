package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"venuehop/internal/account"
	"venuehop/internal/app"
	"venuehop/internal/config"
)

const attendeesUsage = "attendees import FILE.csv | list [-o FILE] | mode [open|registered]  [--data DIR] [--db URL]"

// runAttendees manages who may sign up: the sign-up mode and the attendee
// list with its one-time codes.
func runAttendees(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Defaults()
	fs := newFlags("attendees", attendeesUsage, stderr)
	cfg.StoreFlags(fs)
	out := fs.String("o", "-", "list: write the CSV (email, name, badge id, code, claimed) to FILE (- for standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"expected import, list or mode: venuehop " + attendeesUsage}
	}
	sub, rest := pos[0], pos[1:]
	switch {
	case sub == "import" && len(rest) != 1:
		return usageError{"expected the CSV file after import: venuehop attendees import FILE.csv"}
	case sub == "list" && len(rest) != 0, sub == "mode" && len(rest) > 1:
		return usageError{fmt.Sprintf("unexpected argument %q", rest[len(rest)-1])}
	case sub != "import" && sub != "list" && sub != "mode":
		return usageError{fmt.Sprintf("unknown subcommand %q: expected import, list or mode", sub)}
	}
	var mode account.SignupMode
	if sub == "mode" && len(rest) == 1 {
		if mode, err = account.ParseSignupMode(rest[0]); err != nil {
			return usageError{fmt.Sprintf("expected open or registered after mode, got %q", rest[0])}
		}
	}
	var file *os.File
	if sub == "import" {
		if file, err = os.Open(rest[0]); err != nil {
			return fmt.Errorf("cannot read %s: %w", rest[0], err)
		}
		defer file.Close()
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
	svc := account.NewService(as, account.Options{})
	switch sub {
	case "import":
		rep, err := svc.ImportRegistrations(ctx, file)
		if err != nil {
			return fmt.Errorf("%s: %w", rest[0], err)
		}
		fmt.Fprintf(stdout, "%d attendees added, %d updated; venuehop attendees list prints their codes\n", rep.Added, rep.Updated)
	case "list":
		list, err := svc.Registrations(ctx)
		if err != nil {
			return err
		}
		return writeOutput(*out, stdout, func(w io.Writer) error { return account.WriteRegistrationsCSV(w, list) })
	case "mode":
		if mode != "" {
			if err := svc.SetSignupMode(ctx, mode); err != nil {
				return err
			}
		}
		cur, err := svc.SignupMode(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "sign-up: %s\n", cur)
	}
	return nil
}
