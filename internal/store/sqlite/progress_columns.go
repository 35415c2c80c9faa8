package sqlite

// progressColumns are ormstore.ProgressColumns (which ReadProgress scans,
// by position, in its order) as the web form's FindProgress selects them
// on every request, shaped for the driver's per-query costs:
//
//   - each behind a unary plus, which gives the same value but makes it an
//     expression, which has no declared type. The driver reads every
//     column's declared type once per query and lowercases it, two
//     allocations a column; an expression's is none and costs nothing. The
//     driver uses declared types only for timestamp, datetime, date and
//     boolean columns, none of which these are, so every value scans as
//     before.
//   - each named "": the driver copies every column's name once per query,
//     an allocation a column but none for an empty one, and nothing reads
//     these names (a scan error still gives the column's index, its place
//     in ormstore.ProgressColumns).
//
// TestProgressColumns holds the list to ormstore.ProgressColumns, and
// storetest's FindProgressReadsAll the values to FindResponse's.
const progressColumns = `+id AS "", +instrument_key AS "", +instrument_version AS "", ` +
	`+status AS "", +answers AS "", +digest AS "", +started_at AS "", ` +
	`+submitted_at AS "", +test AS "", +language AS "", +page_times AS "", ` +
	`+sealed_code AS "", +updated_at AS ""`
