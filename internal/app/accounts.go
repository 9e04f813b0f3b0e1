package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"venuehop/internal/account"
	"venuehop/internal/errcode"
	"venuehop/internal/store"
)

// AccountStore returns the account store of a storage backend.
func AccountStore(st store.Stores) (account.Store, error) {
	if st.Accounts == nil {
		return nil, errcode.New(errcode.Unavailable, "this storage backend keeps no accounts")
	}
	return st.Accounts, nil
}

// DemoAccount is one sign-in of the demo, printed by serve.
type DemoAccount struct {
	Email, Password string
	Role            account.Role
}

// DemoAccountsFile is where the demo sign-ins are kept (mode 0600) so that
// serve can print them again after a restart. Their passwords exist nowhere
// else in clear.
const DemoAccountsFile = "demo-accounts.txt"

// demoPeople are the demo's accounts.
var demoPeople = []struct {
	email, name string
	role        account.Role
}{
	{"ada@demo.venuehop.test", "Ada Lovelace", account.Attendee},
	{"grace@demo.venuehop.test", "Grace Hopper", account.Attendee},
	{"alan@demo.venuehop.test", "Alan Turing", account.Attendee},
	{"organizer@demo.venuehop.test", "Olu Organizer", account.Organizer},
	{"admin@demo.venuehop.test", "Ari Admin", account.Admin},
}

// setupAccounts builds the account service and, when this start loaded the
// demo, seeds the demo accounts; otherwise it reads back the demo sign-ins
// an earlier start wrote, if any.
func (a *App) setupAccounts(ctx context.Context) error {
	st, err := AccountStore(a.store)
	if err != nil {
		return err
	}
	a.accounts = account.NewService(st, account.Options{})
	if _, err := a.accounts.SweepExpired(ctx); err != nil {
		a.log.Warn("account: sweeping expired tokens failed", "err", err)
	}
	path := filepath.Join(a.cfg.DataDir, DemoAccountsFile)
	if !a.DemoLoaded {
		a.DemoAccounts, err = readDemoAccounts(path)
		return err
	}
	if a.DemoAccounts, err = seedDemoAccounts(ctx, a.accounts); err != nil {
		return fmt.Errorf("seeding the demo accounts: %w", err)
	}
	return writeDemoAccounts(path, a.DemoAccounts)
}

// seedDemoAccounts creates the demo accounts with fresh random passwords,
// hashing one per core at a time: fewer than the hasher's slots, so no hash
// ever waits in its queue (and times out on a slow, busy machine).
func seedDemoAccounts(ctx context.Context, svc *account.Service) ([]DemoAccount, error) {
	out := make([]DemoAccount, len(demoPeople))
	errs := make([]error, len(demoPeople))
	workers := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, p := range demoPeople {
		out[i] = DemoAccount{Email: p.email, Password: account.GeneratePassword(), Role: p.role}
		workers <- struct{}{}
		wg.Go(func() {
			defer func() { <-workers }()
			_, errs[i] = svc.AddUser(ctx, p.email, out[i].Password, p.name, p.role)
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

const demoAccountsHeader = "# venuehop demo sign-ins: email, password, role. Delete this file to stop serve printing them.\n"

// writeDemoAccounts writes the file through a temporary one (created 0600)
// renamed into place, so it is never readable by others, even briefly.
func writeDemoAccounts(path string, list []DemoAccount) error {
	var sb strings.Builder
	sb.WriteString(demoAccountsHeader)
	for _, d := range list {
		fmt.Fprintf(&sb, "%s\t%s\t%s\n", d.Email, d.Password, d.Role)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".demo-accounts-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(sb.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func readDemoAccounts(path string) ([]DemoAccount, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	var list []DemoAccount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		list = append(list, DemoAccount{Email: fields[0], Password: fields[1], Role: account.Role(fields[2])})
	}
	return list, sc.Err()
}
