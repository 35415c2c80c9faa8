* Encoding: UTF-8.
* Dyad export: Unit export
* Survey 7k2m9qx4ab, instrument unit-export version 3; generated 2026-01-14 10:00 UTC.
*
* Reads unit-export_20260114_spss.csv: the wide CSV export (values=codes) with
* line_breaks=space, because SPSS reads one case per line and cannot read a
* line break inside a value; every other character of free text is exact.
* Then it applies variable and value labels and measurement levels, and
* turns started_at and submitted_at into SPSS date-times.
* Run it with the data file in SPSS's working directory, or change the
* FILE path below. Names longer than 32 characters are shortened: the
* codebook's short_name column lists every name.
* Empty cells are system-missing: an item not answered or not shown. Item
* columns hold the values as answered; the score_ columns are Dyad's scores.
* Missing-data codes (options marked missing, such as 9 = Not applicable)
* keep their value and label and are declared user-missing (MISSING VALUES).
.
GET DATA
  /TYPE=TXT
  /FILE='unit-export_20260114_spss.csv'
  /ENCODING='UTF8'
  /ARRANGEMENT=DELIMITED
  /DELCASE=LINE
  /FIRSTCASE=2
  /DELIMITERS=","
  /QUALIFIER='"'
  /VARIABLES=
    response_id A36
    instrument_version F20.0
    status A11
    started_at A20
    submitted_at A20
    duration_s F20.0
    language A35
    to_v F20.0
    a_very_long_multiple_choice_i__1 F20.0
    a_very_long_multiple_choice__m2 F20.0
    q1 F20.0
    q2 F20.0
    n F20.0
    t A20000
    score_main F40.0
    duration_s1_s F20.0
    dq_speeder F20.0
    dq_straightline F20.0
    dq_attention F20.0
    dq_any F20.0
.

VARIABLE LABELS
  response_id 'Response id (UUID)'
  /  instrument_version 'Instrument version answered'
  /  status 'Response status: complete or in_progress'
  /  started_at 'Time the response was started (UTC)'
  /  submitted_at 'Time the response was submitted (UTC)'
  /  duration_s 'Seconds from start to submission'
  /  language 'Language of the respondent interface (BCP 47)'
  /  to_v 'Reserved in SPSS'
  /  a_very_long_multiple_choice_i__1 'Long id: One'
  /  a_very_long_multiple_choice__m2 'Long id: Minus two'
  /  q1 'Line one line two'
  /  q2 'Reversed $cost `tick`'
  /  n 'A number'
  /  t 'Free text'
  /  score_main 'Main score'
  /  duration_s1_s 'Seconds on page: First'
  /  dq_speeder 'Speeder'
  /  dq_straightline 'Straightlining'
  /  dq_attention 'Attention check failed'
  /  dq_any 'Any data-quality flag'.

VALUE LABELS
  to_v
    1 'Yes'
    0 'No'
  /a_very_long_multiple_choice_i__1
    0 'Not selected'
    1 'Selected'
  /a_very_long_multiple_choice__m2
    0 'Not selected'
    1 'Selected'
  /q1
    1 'Disagree'
    2 'Neither "yes" nor ''no'''
    3 'Agree, fully'
    9 'Not applicable'
  /q2
    1 'Disagree'
    2 'Neither "yes" nor ''no'''
    3 'Agree, fully'
    9 'Not applicable'
  /dq_speeder
    0 'Not flagged'
    1 'Flagged'
  /dq_straightline
    0 'Not flagged'
    1 'Flagged'
  /dq_attention
    0 'Not flagged'
    1 'Flagged'
  /dq_any
    0 'Not flagged'
    1 'Flagged'.

MISSING VALUES
  q1 (9)
  /q2 (9).

VARIABLE LEVEL
  response_id status language to_v a_very_long_multiple_choice_i__1 a_very_long_multiple_choice__m2 dq_speeder dq_straightline
    dq_attention dq_any (NOMINAL)
  /q1 q2 (ORDINAL)
  /instrument_version duration_s n score_main duration_s1_s (SCALE).

FORMATS score_main (F8.3).

* started_at and submitted_at as SPSS date-times (UTC).
NUMERIC dyad_t1 dyad_t2 (DATETIME20).
IF (started_at <> '') dyad_t1 = DATE.MDY(NUMBER(SUBSTR(started_at, 6, 2), F2.0), NUMBER(SUBSTR(started_at, 9, 2), F2.0), NUMBER(SUBSTR(started_at, 1, 4), F4.0))
  + TIME.HMS(NUMBER(SUBSTR(started_at, 12, 2), F2.0), NUMBER(SUBSTR(started_at, 15, 2), F2.0), NUMBER(SUBSTR(started_at, 18, 2), F2.0)).
IF (submitted_at <> '') dyad_t2 = DATE.MDY(NUMBER(SUBSTR(submitted_at, 6, 2), F2.0), NUMBER(SUBSTR(submitted_at, 9, 2), F2.0), NUMBER(SUBSTR(submitted_at, 1, 4), F4.0))
  + TIME.HMS(NUMBER(SUBSTR(submitted_at, 12, 2), F2.0), NUMBER(SUBSTR(submitted_at, 15, 2), F2.0), NUMBER(SUBSTR(submitted_at, 18, 2), F2.0)).
EXECUTE.
DELETE VARIABLES started_at submitted_at.
RENAME VARIABLES (dyad_t1 dyad_t2 = started_at submitted_at).
VARIABLE LABELS started_at 'Time the response was started (UTC)'
  /submitted_at 'Time the response was submitted (UTC)'.
VARIABLE LEVEL started_at submitted_at (SCALE).
ADD FILES /FILE=* /KEEP=response_id instrument_version status started_at submitted_at duration_s language to_v
    a_very_long_multiple_choice_i__1 a_very_long_multiple_choice__m2 q1 q2 n t score_main duration_s1_s
    dq_speeder dq_straightline dq_attention dq_any.
EXECUTE.
