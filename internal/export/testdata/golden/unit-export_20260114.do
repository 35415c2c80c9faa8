* Dyad export: Unit export
* Survey 7k2m9qx4ab, instrument unit-export version 3; generated 2026-01-14 10:00 UTC.
*
* Reads the wide CSV export (values=codes) with the right types, applies
* variable and value labels, and turns started_at and submitted_at into
* Stata date-times (%tc, UTC). Needs Stata 16 or later. Run it from the
* folder that holds the CSV, or change csv_file below.
* Names longer than 32 characters are shortened (the codebook's short_name
* column lists every name); variable labels are cut at 80 characters and
* the whole question is kept in the variable's notes.
* Empty cells are missing (.): an item not answered or not shown. Item
* columns hold the values as answered; the score_ columns are Dyad's scores.
* Missing-data codes (options marked missing, such as 9 = Not applicable)
* become extended missing values, .a for an item's first code, .b for its
* second and so on, labelled with the code's label: every command leaves
* them out, and tabulate, missing still counts them.

version 16
local csv_file `"unit-export_20260114.csv"'

import delimited using `"`csv_file'"', clear varnames(nonames) rowrange(2) ///
    delimiters(",") bindquotes(strict) maxquotedrows(unlimited) encoding("utf-8") ///
    stringcols(1 3/5 7 14) ///
    numericcols(2 6 8/13 15/20)

if c(k) != 20 {
    display as error "`csv_file' has " c(k) " columns; this export has 20"
    exit 459
}

rename (v1 v2 v3 v4 v5 v6 v7 v8 v9 v10 ///
    v11 v12 v13 v14 v15 v16 v17 v18 v19 v20) ///
    (response_id instrument_version status started_at submitted_at duration_s language to_v ///
    a_very_long_multiple_choice_i__1 a_very_long_multiple_choice__m2 q1 q2 n t score_main duration_s1_s ///
    dq_speeder dq_straightline dq_attention dq_any)

* started_at and submitted_at as Stata date-times (UTC).
generate double dyad_t = clock(subinstr(subinstr(started_at, "T", " ", 1), "Z", "", 1), "YMDhms")
format dyad_t %tc
order dyad_t, after(started_at)
drop started_at
rename dyad_t started_at
generate double dyad_t = clock(subinstr(subinstr(submitted_at, "T", " ", 1), "Z", "", 1), "YMDhms")
format dyad_t %tc
order dyad_t, after(submitted_at)
drop submitted_at
rename dyad_t submitted_at

label variable response_id `"Response id (UUID)"'
label variable instrument_version `"Instrument version answered"'
label variable status `"Response status: complete or in_progress"'
label variable started_at `"Time the response was started (UTC)"'
label variable submitted_at `"Time the response was submitted (UTC)"'
label variable duration_s `"Seconds from start to submission"'
label variable language `"Language of the respondent interface (BCP 47)"'
label variable to_v `"Reserved in SPSS"'
label variable a_very_long_multiple_choice_i__1 `"Long id: One"'
label variable a_very_long_multiple_choice__m2 `"Long id: Minus two"'
label variable q1 `"Line one line two"'
label variable q2 `"Reversed \$cost \`tick\`"'
label variable n `"A number"'
label variable t `"Free text"'
label variable score_main `"Main score"'
label variable duration_s1_s `"Seconds on page: First"'
label variable dq_speeder `"Speeder"'
label variable dq_straightline `"Straightlining"'
label variable dq_attention `"Attention check failed"'
label variable dq_any `"Any data-quality flag"'

label define to_v ///
    1 `"Yes"' ///
    0 `"No"', replace
label values to_v to_v
label define a_very_long_multiple_choice_i__1 ///
    0 `"Not selected"' ///
    1 `"Selected"', replace
label values a_very_long_multiple_choice_i__1 a_very_long_multiple_choice_i__1
label define a_very_long_multiple_choice__m2 ///
    0 `"Not selected"' ///
    1 `"Selected"', replace
label values a_very_long_multiple_choice__m2 a_very_long_multiple_choice__m2
replace q1 = .a if q1 == 9
label define q1 ///
    1 `"Disagree"' ///
    2 `"Neither "yes" nor 'no'"' ///
    3 `"Agree, fully"' ///
    .a `"Not applicable"', replace
label values q1 q1
replace q2 = .a if q2 == 9
label define q2 ///
    1 `"Disagree"' ///
    2 `"Neither "yes" nor 'no'"' ///
    3 `"Agree, fully"' ///
    .a `"Not applicable"', replace
label values q2 q2
label define dq_speeder ///
    0 `"Not flagged"' ///
    1 `"Flagged"', replace
label values dq_speeder dq_speeder
label define dq_straightline ///
    0 `"Not flagged"' ///
    1 `"Flagged"', replace
label values dq_straightline dq_straightline
label define dq_attention ///
    0 `"Not flagged"' ///
    1 `"Flagged"', replace
label values dq_attention dq_attention
label define dq_any ///
    0 `"Not flagged"' ///
    1 `"Flagged"', replace
label values dq_any dq_any

compress
