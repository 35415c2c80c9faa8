// Package ormstore holds the part of survey.Store that the database engines
// share: what gorm makes portable (instrument versions, surveys, the
// creation of invitation codes, settings, dashboard sessions, participants
// and their e-mails' outbox), the stored
// form of times, and the readers of the rows that each driver's
// hand-written SQL returns (responses, the web form's response, free-text
// answers). Each driver (internal/store/sqlite,
// internal/store/postgres) embeds a Tables in its Store, so these methods
// exist once; the drivers keep what differs between engines (the group
// commit, responses, invitations, the export reader, error classification)
// and pass it in here where it matters: how an engine error becomes a
// survey.Error, and, for SQLite, the checks that guard every write (the
// database file is still the one opened; a full disk is noticed).
//
// It is not an adapter of its own: drivers import it, and it imports no
// driver.
package ormstore

import "gorm.io/gorm"

// Tables implements the instrument, settings and session methods of
// survey.Store over gorm.
type Tables struct {
	// Read serves reads, Write serves writes; an engine with one pool
	// gives the same handle for both.
	Read, Write *gorm.DB
	// Classify turns an engine's error into a survey.Error where it means
	// one (a unique violation is a conflict), and wraps the rest with what
	// was being done.
	Classify func(err error, what string) error
	// IsUnique reports whether err is a unique or primary-key violation.
	IsUnique func(err error) bool
	// Writable, when set, is asked before every write; an error refuses
	// the write (SQLite: the database file was deleted or replaced).
	Writable func() error
	// FinishWrite, when set, is given the outcome of every write and
	// returns the error to report (SQLite: notes a full disk, checks that
	// the write went into the file the server opened).
	FinishWrite func(error) error
}

func (t *Tables) classify(err error, what string) error { return t.Classify(err, what) }

func (t *Tables) writable() error {
	if t.Writable == nil {
		return nil
	}
	return t.Writable()
}

func (t *Tables) finishWrite(err error) error {
	if t.FinishWrite == nil {
		return err
	}
	return t.FinishWrite(err)
}
