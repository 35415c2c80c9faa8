// Package survey is Dyad's domain: the instruments researchers write, the
// surveys that deploy them, and the answers respondents give, with every
// rule about them. Everything else in Dyad is an adapter around it.
//
// # What it holds
//
//   - Instruments: [Instrument] (sections of [Item]s, named [Scale]s of
//     [Option]s, [Subscale]s that score items, show/hide [Condition]s),
//     checked by [Instrument.Validate], and versioned as
//     [InstrumentVersion] (draft, published, retired). [Form] is a valid
//     instrument indexed for answering, built once per published version;
//     [Scorer] scores a subscale over many responses.
//   - Surveys and responses: [Survey] deploys one published version, open
//     to anyone with the link or by invitation code; [Response] is one
//     respondent's [Answers] (a map of item id to [Value]), complete or, on
//     the respondent pages, in [Progress] section by section. Answers are
//     stored in one canonical JSON encoding ([Answers.Canonical],
//     [EachCanonicalAnswer]) that exports read without decoding to maps.
//   - Secrets: survey ids, tokens and invitation codes are generated here
//     and reach storage only hashed ([HashSecret], and keyed hashes for
//     invitation codes: [WithInvitationKey]).
//   - Errors: [Error] carries one of the E* codes ([EInvalid],
//     [ENotFound], [EConflict], ...) and, for bad input, [Problems]: every
//     problem at once, each with the path of the field at fault. The domain
//     never speaks HTTP; internal/server/errors.go maps each code to a
//     status in one table.
//
// # Services
//
// [Service] is the workflow: what a researcher may do to instruments and
// surveys (create, publish, retire, close, issue invitation codes) and
// what a respondent's submission must satisfy (validation, the open/closed
// rule, single-use codes, progress saved and completed). HTTP handlers,
// the respondent pages, the dashboard and the command line call it; it
// calls a [Store].
//
// # Storage
//
// [Store] (store.go) is the interface the domain needs from persistent
// storage, with [ResponseScanner] for streaming exports; each method
// documents the error codes it returns. The domain owns the interface and
// the storage drivers under internal/store implement it (SQLite today,
// asserted at compile time with var _ survey.Store = ...); nothing here
// knows which database is behind it.
//
// # Imports
//
// survey imports only the standard library, so the domain can be read,
// tested and fuzzed on its own, and every adapter (instrument parsing,
// storage, HTTP, pages, exports, statistics) depends on it, never the
// other way round. A rule that needs a library belongs in an adapter.
package survey
