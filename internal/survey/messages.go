package survey

// Message templates and their rendering: the invitation and reminder
// texts with {{merge_fields}}, per language, the defaults, previews, and
// the message a participant receives (its personal link, opt-out link and
// stable Message-ID). Values merged into the HTML part are escaped; the
// plain-text part is text. A rendered message exists only on its way to
// the relay: it holds the personal link, so it is never stored.

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"
)

// MessageTemplate is a researcher's text for one kind of message in one
// language ("" is the default language).
type MessageTemplate struct {
	SurveyID  string
	Kind      string // invitation or reminder
	Language  string
	Subject   string
	Text      string // plain text, merge values as they are
	HTML      string // optional; merge values are HTML-escaped
	UpdatedAt time.Time
}

// mergeFieldRef is a {{name}} reference in a template.
type mergeFieldRef struct {
	start, end int
	name       string
}

// parseTemplate finds the merge fields of a template text; a "{{" without
// its "}}" or a name that no participant can have is an error message.
func parseTemplate(s string) ([]mergeFieldRef, string) {
	var refs []mergeFieldRef
	for i := 0; ; {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			return refs, ""
		}
		j += i
		k := strings.Index(s[j:], "}}")
		if k < 0 {
			return nil, fmt.Sprintf("a {{ at byte %d has no closing }}", j)
		}
		k += j
		name := strings.TrimSpace(s[j+2 : k])
		if !attributeName.MatchString(name) {
			return nil, fmt.Sprintf("{{%s}} is not a merge field: use {{first_name}}, {{survey_link}}, {{opt_out_link}} or a custom attribute's column name", name)
		}
		refs = append(refs, mergeFieldRef{j, k + 2, name})
		i = k + 2
	}
}

// render fills a template's merge fields; escape is applied to every value
// (html.EscapeString for the HTML part).
func render(s string, values func(string) string, escape func(string) string) string {
	refs, _ := parseTemplate(s)
	var b strings.Builder
	last := 0
	for _, r := range refs {
		b.WriteString(s[last:r.start])
		b.WriteString(escape(values(r.name)))
		last = r.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// Default templates, used for a kind and language the researcher has not
// written.
var defaultTemplates = map[string]MessageTemplate{
	MessageInvitation: {Kind: MessageInvitation, Subject: "Invitation: {{survey_title}}",
		Text: "Dear {{first_name}} {{last_name}},\n\nYou are invited to take part in the survey \"{{survey_title}}\". " +
			"Your personal link (please do not forward it):\n\n{{survey_link}}\n\n" +
			"If you do not wish to receive messages about this survey:\n{{opt_out_link}}\n"},
	MessageReminder: {Kind: MessageReminder, Subject: "Reminder: {{survey_title}}",
		Text: "Dear {{first_name}} {{last_name}},\n\nA reminder of the survey \"{{survey_title}}\": if you have not yet answered, " +
			"your personal link is:\n\n{{survey_link}}\n\n" +
			"If you do not wish to receive messages about this survey:\n{{opt_out_link}}\n"},
}

// validateTemplate checks a template before it is stored.
func validateTemplate(t *MessageTemplate) error {
	var p Problems
	if t.Kind != MessageInvitation && t.Kind != MessageReminder {
		p.Add("kind", "must be invitation or reminder")
	}
	if t.Language != "" && !languageTag.MatchString(t.Language) {
		p.Add("language", "%q is not a language tag such as en or de-CH", t.Language)
	}
	if strings.TrimSpace(t.Subject) == "" {
		p.Add("subject", "a subject is required")
	}
	if strings.ContainsAny(t.Subject, "\r\n") {
		p.Add("subject", "a subject is one line")
	}
	if strings.TrimSpace(t.Text) == "" {
		p.Add("text", "the plain-text body is required (every message has one)")
	}
	for _, f := range []struct{ path, v string }{{"subject", t.Subject}, {"text", t.Text}, {"html", t.HTML}} {
		if len(f.v) > 64<<10 {
			p.Add(f.path, "at most 64 KiB")
			continue
		}
		if _, msg := parseTemplate(f.v); msg != "" {
			p.Add(f.path, "%s", msg)
		}
	}
	if !strings.Contains(t.Text, "{{survey_link}}") && !strings.Contains(t.Text, "{{ survey_link }}") {
		p.Add("text", "the body must hold {{survey_link}}, the participant's personal link")
	}
	if !strings.Contains(t.Text, "opt_out_link") {
		p.Add("text", "the body must hold {{opt_out_link}}, the link to stop these messages")
	}
	return p.Err(EInvalid, "the message template is not valid")
}

// PutTemplate stores an invitation or reminder template.
func (s *Service) PutTemplate(ctx context.Context, t *MessageTemplate) (*MessageTemplate, error) {
	if _, err := s.invitationSurvey(ctx, t.SurveyID); err != nil {
		return nil, err
	}
	if err := validateTemplate(t); err != nil {
		return nil, err
	}
	t.UpdatedAt = s.now()
	if err := s.store.PutTemplate(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// Templates returns a survey's templates, the defaults included for the
// kinds not written in the default language.
func (s *Service) Templates(ctx context.Context, surveyID string) ([]*MessageTemplate, error) {
	if _, err := s.invitationSurvey(ctx, surveyID); err != nil {
		return nil, err
	}
	ts, err := s.store.FindTemplates(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	for _, kind := range []string{MessageInvitation, MessageReminder} {
		if pickTemplate(ts, kind, "") == nil {
			d := defaultTemplates[kind]
			d.SurveyID = surveyID
			ts = append(ts, &d)
		}
	}
	return ts, nil
}

// pickTemplate chooses the template for a language: the exact tag, then
// its primary language, then the default language; nil if none.
func pickTemplate(ts []*MessageTemplate, kind, lang string) *MessageTemplate {
	primary, _, _ := strings.Cut(lang, "-")
	for _, want := range []string{lang, primary, ""} {
		for _, t := range ts {
			if t.Kind == kind && strings.EqualFold(t.Language, want) {
				return t
			}
		}
	}
	return nil
}

// RenderedMessage is a message ready for the relay.
type RenderedMessage struct {
	ID string // the outbox id
	// MessageID is the Message-ID without its angle brackets: the outbox
	// id at the public URL's host, the same on every attempt.
	MessageID string
	To        string
	Subject   string
	Text      string
	HTML      string // "" for a plain-text message
	// OptOutURL is the List-Unsubscribe target; "" for a test message to
	// the researcher.
	OptOutURL string
	// Attempts is how many times sending was tried before (MessageFailed).
	Attempts int
}

// renderFor renders the template of kind for a participant.
func (s *Service) renderFor(ts []*MessageTemplate, sv *Survey, p *Participant, kind, baseURL, id string) *RenderedMessage {
	t := pickTemplate(ts, kind, p.Language)
	if t == nil {
		d := defaultTemplates[kind]
		t = &d
	}
	code := s.participantCode(sv.ID, p.ID)
	link := baseURL + "/s/" + sv.ID + "?code=" + url.QueryEscape(code)
	optOut := baseURL + "/optout/" + s.OptOutToken(sv.ID, p.ID)
	values := func(name string) string {
		switch name {
		case "first_name":
			return p.FirstName
		case "last_name":
			return p.LastName
		case "email":
			return p.Email
		case "survey_title":
			return sv.Title
		case "survey_link":
			return link
		case "opt_out_link":
			return optOut
		case "invitation_code":
			return code
		}
		return p.Attributes[name]
	}
	same := func(v string) string { return v }
	m := &RenderedMessage{ID: id, MessageID: messageID(id, baseURL), To: p.Email, OptOutURL: optOut,
		Subject: strings.Join(strings.Fields(render(t.Subject, values, same)), " "),
		Text:    render(t.Text, values, same)}
	if t.HTML != "" {
		m.HTML = render(t.HTML, values, html.EscapeString)
	}
	return m
}

// messageID is a stable Message-ID for an outbox row: the same on every
// attempt, so a message sent twice is recognisably one.
func messageID(id, baseURL string) string {
	host := "dyad.invalid"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return id + "@" + host
}

// sampleParticipant is the participant of previews and test messages.
func sampleParticipant(surveyID, email string) *Participant {
	return &Participant{ID: "psample", SurveyID: surveyID, Email: email, FirstName: "Alex", LastName: "Sample",
		Attributes: map[string]string{}}
}

// Preview renders a template for a sample participant (or one given),
// with a link that works for no one.
func (s *Service) Preview(ctx context.Context, surveyID, kind, language, baseURL string, attrs map[string]string) (*RenderedMessage, error) {
	sv, err := s.invitationSurvey(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	if kind != MessageInvitation && kind != MessageReminder {
		return nil, &Error{Code: EInvalid, Message: "unknown message kind", Details: []Detail{{Path: "kind", Message: "must be invitation or reminder"}}}
	}
	ts, err := s.store.FindTemplates(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	p := sampleParticipant(surveyID, "alex.sample@example.org")
	p.Language = language
	for k, v := range attrs {
		p.Attributes[k] = v
	}
	return s.renderFor(ts, sv, p, kind, baseURL, "preview"), nil
}
