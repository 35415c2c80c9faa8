package survey

import (
	"context"
	"time"
)

// Tracking is what the dashboard shows of a mailing: each participant's
// state, the counts, and the response rate per day with the days of
// contact. The rate counts the survey's complete responses per day of
// submission over the number of participants: it is read from the
// responses, not from the participants, whose completion has no time.
type Tracking struct {
	Survey *Survey
	// Participants are the page asked for, by e-mail address.
	Participants []*Participant
	Counts       ParticipantCounts
	Days         []TrackingDay
}

// TrackingDay is one UTC day of a mailing.
type TrackingDay struct {
	Date        string // 2006-01-02
	Complete    int    // complete responses submitted that day
	Cumulative  int    // complete responses up to that day
	Percent     float64
	Invitations int // invitations sent that day
	Reminders   int // reminders sent that day
}

// maxTrackingDays bounds the days shown: a mailing runs for weeks.
const maxTrackingDays = 400

// Tracking returns a survey's mailing as the dashboard shows it, with
// limit participants from the offset-th.
func (s *Service) Tracking(ctx context.Context, surveyID string, offset, limit int) (*Tracking, error) {
	sv, err := s.invitationSurvey(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	ps, counts, err := s.store.FindParticipantsPage(ctx, surveyID, max(offset, 0), max(limit, 0), s.participantHashes())
	if err != nil {
		return nil, err
	}
	responses, err := s.store.ResponseDays(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	contacts, err := s.store.ContactDays(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	t := &Tracking{Survey: sv, Participants: ps, Counts: counts}
	t.Days = trackingDays(responses, contacts, counts.Total, s.now())
	return t, nil
}

// trackingDays lays the counts out day by day, from the first contact or
// response to the last one or today, whichever is later (at most
// maxTrackingDays, the latest kept).
func trackingDays(responses, contacts []DayCount, participants int, now time.Time) []TrackingDay {
	if len(responses) == 0 && len(contacts) == 0 {
		return nil
	}
	first, last := "", now.UTC().Format(time.DateOnly)
	for _, d := range append(append([]DayCount{}, responses...), contacts...) {
		if first == "" || d.Day < first {
			first = d.Day
		}
		if d.Day > last {
			last = d.Day
		}
	}
	start, err1 := time.Parse(time.DateOnly, first)
	end, err2 := time.Parse(time.DateOnly, last)
	if err1 != nil || err2 != nil {
		return nil
	}
	if days := int(end.Sub(start).Hours()/24) + 1; days > maxTrackingDays {
		start = end.AddDate(0, 0, -(maxTrackingDays - 1))
	}
	byDay := map[string]*TrackingDay{}
	var out []TrackingDay
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		out = append(out, TrackingDay{Date: d.Format(time.DateOnly)})
	}
	for i := range out {
		byDay[out[i].Date] = &out[i]
	}
	before := 0 // responses on days cut off the start
	for _, r := range responses {
		if d := byDay[r.Day]; d != nil {
			d.Complete += r.Count
		} else if r.Day < out[0].Date {
			before += r.Count
		}
	}
	for _, c := range contacts {
		if d := byDay[c.Day]; d != nil {
			switch c.Kind {
			case MessageInvitation:
				d.Invitations += c.Count
			case MessageReminder:
				d.Reminders += c.Count
			}
		}
	}
	sum := before
	for i := range out {
		sum += out[i].Complete
		out[i].Cumulative = sum
		if participants > 0 {
			out[i].Percent = min(100, 100*float64(sum)/float64(participants))
		}
	}
	return out
}
