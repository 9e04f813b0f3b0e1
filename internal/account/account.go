// Package account is who uses venuehop: attendees, organizers and admins,
// their credentials and their sign-in sessions. It does no I/O itself; the
// store backends implement the Store it declares.
package account

import "time"

// Role is what a user may do.
type Role string

const (
	Attendee  Role = "attendee"
	Organizer Role = "organizer"
	Admin     Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Attendee || r == Organizer || r == Admin }

// CanOrganize reports whether the role may use the organizer endpoints.
func (r Role) CanOrganize() bool { return r == Organizer || r == Admin }

// User is one account. ID is stable and opaque ("u_..." for people).
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"-"`
}
