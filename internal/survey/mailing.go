package survey

// Mailings: the invitation and reminders sent to a survey's participants.
//
// Every message Dyad decides to send is a row of the outbox, inserted in
// the same transaction that decides (Store.QueueInvitations,
// QueueReminders): a decision is never lost to a crash, and one taken
// twice (a restart, a second instance, a schedule run again) queues one
// message, since a participant has at most one message per kind and
// number. A sender (internal/mail, started by dyad serve) takes due
// messages one at a time at its configured rate: NextMessage claims one
// for a lease, renders it (the body is never stored: it holds the personal
// link), the sender hands it to the SMTP relay, then MessageSent or
// MessageFailed records the outcome. A crash between the relay's accept
// and the record leaves the message queued; when the lease runs out it is
// sent again with the same Message-ID (the outbox row's id), so the rare
// duplicate is recognisable as such: at least once, never silently lost.
//
// Whether a participant still gets a message is decided again when it is
// sent: an opt-out, a bounce or (for reminders) a completion since it was
// queued cancels it.

import (
	"context"
	"strings"
	"time"
)

// Message kinds.
const (
	MessageInvitation = "invitation"
	MessageReminder   = "reminder"
	MessageTest       = "test"
)

// Outbox message states.
const (
	MessageQueued    = "queued"
	MessageSent      = "sent"
	MessageBounced   = "bounced"   // the relay refused permanently (5xx)
	MessageFailed    = "failed"    // temporary failures until MaxAttempts
	MessageCancelled = "cancelled" // opted out, bounced or completed since it was queued
)

// Mailing is a survey's schedule: the invitation at InviteAt (nil: only
// when sent by hand), then up to MaxReminders reminders, each ReminderDays
// after the participant's last contact, to those who have not completed.
type Mailing struct {
	SurveyID     string
	InviteAt     *time.Time
	ReminderDays int
	MaxReminders int
	UpdatedAt    time.Time
}

// Schedule bounds.
const (
	MaxReminderDays = 90
	MaxReminders    = 5
)

// OutboxMessage is one message Dyad decided to send.
type OutboxMessage struct {
	ID            string // also the Message-ID's local part
	SurveyID      string
	ParticipantID string // "" for a test message
	Kind          string
	Seq           int    // the reminder's number (1, 2, ...); 0 otherwise
	To            string // a test message's address; "" for a participant's
	Status        string
	Attempts      int
	NextAt        time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
	// Participant is filled by DueMessages when the message has one.
	Participant *Participant
}

// MessageOutcome is what became of a message (Store.FinishMessage).
type MessageOutcome struct {
	Status string // sent, bounced, failed, cancelled, or queued to retry
	At     time.Time
	NextAt time.Time // queued: when to try again
	Error  string
}

// ParticipantHash returns the keyed hash of a participant's invitation
// code (the bytes of its invitations row). Only the Service can compute
// it, since it holds the invitation key; the store is given it wherever a
// participant's started or completed state is read or decided on, because
// the participants table does not keep the hash: a participant row that
// shared a value with its invitations row would let anyone who can query
// the database follow participant -> invitations row -> response (on
// PostgreSQL, through the rows' shared xmin). A store calls it from one
// goroutine, and may keep the slices it returns.
type ParticipantHash func(surveyID, participantID string) []byte

// MailingStore is the storage of participants and mailings; every driver
// implements it, held by storetest.
type MailingStore interface {
	// CreateParticipants stores new participants and, in the same
	// transaction, their invitation codes (the hashes in CodeHash, stored
	// on the invitations rows only); EConflict if an address is on the
	// survey's list already.
	CreateParticipants(ctx context.Context, surveyID string, ps []*Participant) error
	// FindParticipant returns one participant with its tracking (Started
	// and Completed, from the invitations row whose hash is hash's; not
	// read when hash is nil); ENotFound if the survey has no such
	// participant.
	FindParticipant(ctx context.Context, surveyID, id string, hash ParticipantHash) (*Participant, error)
	// FindParticipants lists a survey's participants with their tracking
	// (as FindParticipant), by e-mail address.
	FindParticipants(ctx context.Context, surveyID string, hash ParticipantHash) ([]*Participant, error)
	// FindParticipantsPage returns up to limit participants of a survey
	// by e-mail address from the offset-th, with the survey's counts
	// (started and completed through hash).
	FindParticipantsPage(ctx context.Context, surveyID string, offset, limit int, hash ParticipantHash) ([]*Participant, ParticipantCounts, error)
	// UpdateParticipant stores a participant's contact fields and
	// attributes; ENotFound if none, EConflict if the new address is
	// another participant's.
	UpdateParticipant(ctx context.Context, p *Participant) error
	// DeleteParticipant removes a participant, its queued messages and its
	// invitation code (codeHash) unless spent or held; ENotFound if none.
	DeleteParticipant(ctx context.Context, surveyID, id string, codeHash []byte) error
	// OptOutParticipant records an opt-out at at (the first one counts)
	// and cancels the participant's queued messages; ENotFound if none.
	OptOutParticipant(ctx context.Context, surveyID, id string, at time.Time) error

	// PutTemplate stores a template, replacing the one of the same kind
	// and language.
	PutTemplate(ctx context.Context, t *MessageTemplate) error
	// FindTemplates returns a survey's templates.
	FindTemplates(ctx context.Context, surveyID string) ([]*MessageTemplate, error)
	// PutMailing stores a survey's schedule, replacing any earlier one.
	PutMailing(ctx context.Context, m *Mailing) error
	// FindMailing returns a survey's schedule; ENotFound if none was set.
	FindMailing(ctx context.Context, surveyID string) (*Mailing, error)
	// FindMailings returns every schedule, for the scheduler.
	FindMailings(ctx context.Context) ([]*Mailing, error)

	// QueueInvitations queues, in one transaction, an invitation for every
	// participant of the survey who has none yet and has neither opted out
	// nor bounced, due at at; it returns how many it queued.
	QueueInvitations(ctx context.Context, surveyID string, at time.Time, newID func() string) (int, error)
	// QueueReminders queues, in one transaction, the next reminder (number
	// reminders+1, at most maxReminders) for every participant of the
	// survey who was invited, whose last contact is at or before
	// contactBefore, who has no message queued, and who has not completed,
	// opted out or bounced (completed: the invitations row with hash's
	// value is spent, read in the same transaction); due at at. It returns
	// how many it queued.
	QueueReminders(ctx context.Context, surveyID string, contactBefore time.Time, maxReminders int, at time.Time, newID func() string, hash ParticipantHash) (int, error)
	// QueueMessage queues one message as given (test messages).
	QueueMessage(ctx context.Context, m *OutboxMessage) error
	// DueMessages returns up to limit queued messages due at now, oldest
	// first, with their participants (tracked through hash).
	DueMessages(ctx context.Context, now time.Time, limit int, hash ParticipantHash) ([]*OutboxMessage, error)
	// ClaimMessage pushes a due queued message's next try to until, so
	// that no other sender takes it meanwhile; false if it was no longer
	// due and queued (another sender has it).
	ClaimMessage(ctx context.Context, id string, now, until time.Time) (bool, error)
	// FinishMessage records a message's outcome and, in the same
	// transaction, its participant's tracking: a sent invitation sets
	// invited_at, a sent reminder counts, both set last_contact_at; a bounce
	// sets bounced_at. ENotFound if none.
	FinishMessage(ctx context.Context, id string, o MessageOutcome) error
	// FindOutbox lists a survey's messages, newest first, at most limit.
	FindOutbox(ctx context.Context, surveyID string, limit int) ([]*OutboxMessage, error)
	// ResponseDays counts a survey's complete responses per UTC day of
	// submission (YYYY-MM-DD), for the response-rate chart.
	ResponseDays(ctx context.Context, surveyID string) ([]DayCount, error)
	// ContactDays counts a survey's sent messages per UTC day and kind.
	ContactDays(ctx context.Context, surveyID string) ([]DayCount, error)
}

// DayCount is a count for one UTC day (and kind, for contacts).
type DayCount struct {
	Day   string // YYYY-MM-DD
	Kind  string
	Count int
}

// Sending rules.
const (
	// MessageLease is how long a claimed message is left to its sender
	// before another may take it (after a crash): longer than any SMTP
	// conversation.
	MessageLease = 10 * time.Minute
	// MaxAttempts is how many temporary failures a message gets before
	// it is marked failed.
	MaxAttempts = 10
)

// RetryDelay is the back-off after the n-th temporary failure: 1, 2, 4,
// ... minutes, at most 2 hours, so ten attempts span about nine hours.
func RetryDelay(n int) time.Duration {
	d := time.Minute << min(max(n-1, 0), 7)
	return min(d, 2*time.Hour)
}

// SendTest queues a sample of a message to the researcher's own address.
func (s *Service) SendTest(ctx context.Context, surveyID, kind, to string) (*OutboxMessage, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return nil, err
	}
	var p Problems
	if kind != MessageInvitation && kind != MessageReminder {
		p.Add("kind", "must be invitation or reminder")
	}
	to = strings.ToLower(strings.TrimSpace(to))
	if !validEmail(to) {
		p.Add("to", "%q is not an e-mail address", to)
	}
	if err := p.Err(EInvalid, "the test message is not valid"); err != nil {
		return nil, err
	}
	now := s.now()
	m := &OutboxMessage{ID: newMessageID(), SurveyID: surveyID, Kind: MessageTest, Seq: kindSeq(kind), To: to,
		Status: MessageQueued, NextAt: now, CreatedAt: now}
	if err := s.store.QueueMessage(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// A test message remembers which template it samples by its seq.
func kindSeq(kind string) int {
	if kind == MessageReminder {
		return 1
	}
	return 0
}

// newMessageID is a random outbox id: it names no participant.
func newMessageID() string { return "m" + NewToken()[:24] }

// PutMailing stores a survey's schedule.
func (s *Service) PutMailing(ctx context.Context, m *Mailing) (*Mailing, error) {
	if _, err := s.invitationSurvey(ctx, m.SurveyID); err != nil {
		return nil, err
	}
	var p Problems
	if m.ReminderDays < 0 || m.ReminderDays > MaxReminderDays {
		p.Add("reminder_days", "must be 0 to %d", MaxReminderDays)
	}
	if m.MaxReminders < 0 || m.MaxReminders > MaxReminders {
		p.Add("max_reminders", "must be 0 to %d", MaxReminders)
	}
	if m.MaxReminders > 0 && m.ReminderDays == 0 {
		p.Add("reminder_days", "reminders need the days to wait after the last contact (1 to %d)", MaxReminderDays)
	}
	if err := p.Err(EInvalid, "the schedule is not valid"); err != nil {
		return nil, err
	}
	m.UpdatedAt = s.now()
	if err := s.store.PutMailing(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Mailing returns a survey's schedule; a survey without one has the zero
// schedule (nothing automatic).
func (s *Service) Mailing(ctx context.Context, surveyID string) (*Mailing, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return nil, err
	}
	m, err := s.store.FindMailing(ctx, surveyID)
	if ErrorCode(err) == ENotFound {
		return &Mailing{SurveyID: surveyID}, nil
	}
	return m, err
}

// SendInvitations queues the invitation, due now, for every participant
// not yet invited; EConflict for a survey not accepting responses.
func (s *Service) SendInvitations(ctx context.Context, surveyID string) (int, error) {
	sv, err := s.invitationSurvey(ctx, surveyID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if err := sv.CheckOpen(now); err != nil {
		return 0, err
	}
	return s.store.QueueInvitations(ctx, surveyID, now, newMessageID)
}

// RunSchedules queues what every survey's schedule says is due now: the
// invitation once its time has come (and, after it, for participants
// added later), and reminders to those whose last contact is ReminderDays
// old. Surveys not accepting responses get nothing. It returns how many
// messages it queued.
func (s *Service) RunSchedules(ctx context.Context) (int, error) {
	ms, err := s.store.FindMailings(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	total := 0
	for _, m := range ms {
		sv, err := s.store.FindSurvey(ctx, m.SurveyID)
		if err != nil {
			return total, err
		}
		if sv.CheckOpen(now) != nil {
			continue
		}
		if m.InviteAt != nil && !now.Before(*m.InviteAt) {
			n, err := s.store.QueueInvitations(ctx, m.SurveyID, now, newMessageID)
			total += n
			if err != nil {
				return total, err
			}
		}
		if m.MaxReminders > 0 && m.ReminderDays > 0 {
			before := now.Add(-time.Duration(m.ReminderDays) * 24 * time.Hour)
			n, err := s.store.QueueReminders(ctx, m.SurveyID, before, m.MaxReminders, now, newMessageID, s.participantHashes())
			total += n
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// whyNotSend says why a due message must not go out any more, or "".
func whyNotSend(m *OutboxMessage) string {
	if m.Kind == MessageTest {
		return ""
	}
	p := m.Participant
	switch {
	case p == nil:
		return "the participant was removed"
	case p.OptedOutAt != nil:
		return "the participant opted out"
	case p.BouncedAt != nil:
		return "the participant's address bounced"
	case m.Kind == MessageReminder && p.Completed:
		return "the participant completed the survey"
	}
	return ""
}

// NextMessage claims the next due message and renders it, or returns nil
// when none is due. Messages that must no longer go out are cancelled on
// the way. baseURL is where respondents reach the server.
func (s *Service) NextMessage(ctx context.Context, baseURL string) (*RenderedMessage, error) {
	now := s.now()
	for {
		due, err := s.store.DueMessages(ctx, now, 16, s.participantHashes())
		if err != nil || len(due) == 0 {
			return nil, err
		}
		for _, m := range due {
			if why := whyNotSend(m); why != "" {
				if err := s.store.FinishMessage(ctx, m.ID, MessageOutcome{Status: MessageCancelled, At: now, Error: why}); err != nil {
					return nil, err
				}
				continue
			}
			ok, err := s.store.ClaimMessage(ctx, m.ID, now, now.Add(MessageLease))
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			return s.render(ctx, m, baseURL)
		}
	}
}

func (s *Service) render(ctx context.Context, m *OutboxMessage, baseURL string) (*RenderedMessage, error) {
	sv, err := s.store.FindSurvey(ctx, m.SurveyID)
	if err != nil {
		return nil, err
	}
	ts, err := s.store.FindTemplates(ctx, m.SurveyID)
	if err != nil {
		return nil, err
	}
	if m.Kind == MessageTest {
		kind := MessageInvitation
		if m.Seq == 1 {
			kind = MessageReminder
		}
		r := s.renderFor(ts, sv, sampleParticipant(sv.ID, m.To), kind, baseURL, m.ID)
		r.Subject = "[Test] " + r.Subject
		r.OptOutURL = ""
		r.Attempts = m.Attempts
		return r, nil
	}
	r := s.renderFor(ts, sv, m.Participant, m.Kind, baseURL, m.ID)
	r.Attempts = m.Attempts
	return r, nil
}

// MessageSent records that the relay accepted a message.
func (s *Service) MessageSent(ctx context.Context, id string) error {
	return s.store.FinishMessage(ctx, id, MessageOutcome{Status: MessageSent, At: s.now()})
}

// MessageFailed records a refusal: permanent ones (5xx) bounce the
// participant; temporary ones (4xx, no connection) are tried again after
// RetryDelay, until MaxAttempts.
func (s *Service) MessageFailed(ctx context.Context, id string, attempts int, permanent bool, reason string) error {
	now := s.now()
	reason = clip(reason, 500)
	switch {
	case permanent:
		return s.store.FinishMessage(ctx, id, MessageOutcome{Status: MessageBounced, At: now, Error: reason})
	case attempts+1 >= MaxAttempts:
		return s.store.FinishMessage(ctx, id, MessageOutcome{Status: MessageFailed, At: now, Error: reason})
	}
	return s.store.FinishMessage(ctx, id, MessageOutcome{Status: MessageQueued, At: now, NextAt: now.Add(RetryDelay(attempts + 1)), Error: reason})
}

// Outbox lists a survey's latest messages.
func (s *Service) Outbox(ctx context.Context, surveyID string, limit int) ([]*OutboxMessage, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return nil, err
	}
	return s.store.FindOutbox(ctx, surveyID, limit)
}
