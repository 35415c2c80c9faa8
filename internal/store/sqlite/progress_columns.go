package sqlite

// progressColumns are ormstore.ProgressColumns (which ReadProgress scans,
// in its order) as the web form's FindProgress selects them: each behind
// a unary plus, which gives the same value but makes it an expression,
// which has no declared type. The driver reads every column's declared
// type once per query and lowercases it, two allocations a column; an
// expression's is "" and costs none. The driver uses declared types only
// for timestamp, datetime, date and boolean columns, none of which these
// are, so every value scans as before (TestProgressColumns).
const progressColumns = `+id AS id, +instrument_key AS instrument_key, +instrument_version AS instrument_version, ` +
	`+status AS status, +answers AS answers, +digest AS digest, +started_at AS started_at, ` +
	`+submitted_at AS submitted_at, +test AS test, +language AS language, +page_times AS page_times, ` +
	`+sealed_code AS sealed_code, +updated_at AS updated_at`
