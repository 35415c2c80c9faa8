// Package storetest is the conformance suite of the survey.Store contract:
// what every driver must do, whatever its engine, checked through the
// interface alone. A driver runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB) survey.Store { ... a fresh, empty store ... })
//	}
//
// Open must return a fresh, empty store with its schema applied, and close
// it with tb.Cleanup. Every check gets a store of its own and runs in
// parallel with the others.
//
// The suite holds what the domain relies on the database for: instrument
// and survey lifecycles, idempotent response ids (the same id twice is
// one row, the second told created=false), no lost response under
// concurrent submitters, single-use invitation codes under a race (one
// winner), one in-progress response per code (holds), responses read back
// in arrival order with their filters, in-progress saves and completion,
// abandoned responses in progress deleted with their codes released,
// paging of text answers, a survey's closing decided inside the write,
// survey settings changed and a survey reopened, a survey deleted only
// without live responses (also while responses arrive), responses made
// in test mode marked by the survey's mode as the write reads it and
// left out of every read unless asked for, the web form's page times,
// settings and dashboard sessions, participants and the e-mail outbox,
// accounts with their roles and API tokens, the audit trail's hash
// chain under racing appends, failed-authentication budgets (one
// back-off rule, every racing failure counted), and studies with the
// instrument keys and surveys in each. Engine-specific promises (pragmas, the
// WAL, file identity, full disks, backups) stay in each driver's own tests.
package storetest

import (
	"testing"

	"github.com/dyad-survey/dyad/internal/survey"
)

// Opener returns a fresh, empty store and closes it with tb.Cleanup.
type Opener func(tb testing.TB) survey.Store

// Run runs every check of the contract, each as a parallel subtest on a
// store of its own.
func Run(t *testing.T, open Opener) {
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

var checks = []struct {
	name string
	fn   func(*testing.T, survey.Store)
}{
	{"InstrumentLifecycle", testInstrumentLifecycle},
	{"SetTranslation", testSetTranslation},
	{"TimesAreUTCMicroseconds", testTimesAreUTCMicroseconds},
	{"SurveyLifecycle", testSurveyLifecycle},
	{"UpdateSurvey", testUpdateSurvey},
	{"DeleteSurvey", testDeleteSurvey},
	{"DeleteSurveyRacesResponses", testDeleteSurveyRacesResponses},
	{"TestMode", testTestMode},
	{"CreateResponseSameID", testCreateResponseSameID},
	{"CreateResponseSameIDWithCode", testCreateResponseSameIDWithCode},
	{"InvitationCodes", testInvitationCodes},
	{"CreateResponseIsAtomic", testCreateResponseIsAtomic},
	{"ConcurrentCreateResponse", testConcurrentCreateResponse},
	{"SingleUseCodeRace", testSingleUseCodeRace},
	{"Holds", testHolds},
	{"ProgressSaveAndComplete", testProgressSaveAndComplete},
	{"FindProgressReadsAll", testFindProgressReadsAll},
	{"ResponseLanguage", testResponseLanguage},
	{"PageTimes", testPageTimes},
	{"DeleteAbandoned", testDeleteAbandoned},
	{"ClosedInsideTheWrite", testClosedInsideTheWrite},
	{"ScanResponses", testScanResponses},
	{"TextAnswersPaging", testTextAnswersPaging},
	{"Settings", testSettings},
	{"Sessions", testSessions},
	{"Participants", testParticipants},
	{"Outbox", testOutbox},
	{"OutboxRaces", testOutboxRaces},
	{"TemplatesAndMailings", testTemplatesAndMailings},
	{"Accounts", testAccounts},
	{"APITokens", testAPITokens},
	{"AuditChain", testAuditChain},
	{"Invites", testInvites},
	{"AuthFailures", testAuthFailures},
	{"AuthFailuresRace", testAuthFailuresRace},
	{"Studies", testStudies},
}
