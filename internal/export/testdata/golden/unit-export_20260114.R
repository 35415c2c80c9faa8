# Dyad export: Unit export
# Survey 7k2m9qx4ab, instrument unit-export version 3; generated 2026-01-14 10:00 UTC.
#
# Reads the wide CSV export (values=codes) into the data frame `dyad`, with
# the right column types, and attaches variable labels (attribute "label")
# and value labels (attribute "labels", a named vector label = code): the
# convention of the haven and labelled packages, so RStudio's viewer shows
# them and haven::zap_labels() or labelled::to_factor() understand them.
# Base R only. dyad_factor(x) turns a labelled column into a factor.
#
# Empty cells are NA: an item not answered, or not shown. Item columns hold
# the values as answered, reverse-keyed items included; the score_* columns
# are Dyad's scores (see the codebook for each rule).
#
# Missing-data codes (options marked missing, such as 9 = "Not applicable")
# are NA in their item's column, so no mean or model counts them; the code
# each respondent gave is kept in a companion column <item>__na, placed
# right after the item, labelled with the codes (NA where the answer was
# substantive or absent). A column rather than an attribute, because it
# stays with its rows through subsetting, sorting and merging, while an
# attribute holding one value per row is dropped by dyad[rows, ]. The
# item's "na_values" attribute lists its codes (haven's name for them).
# Item ids never contain "__", so these names cannot collide with an item.

csv_file <- "unit-export_20260114.csv"  # change if you renamed the file

# The CSV is UTF-8, with or without a byte-order mark. It is read as bytes
# and declared UTF-8, so that it reads the same in any locale (read.csv on
# the file converts it to the locale's encoding, and stops at the first
# character the locale lacks). R strings cannot hold a NUL character;
# Dyad refuses them in answers, but older data may hold some: they are
# removed, with a message saying how many.
dyad_bytes <- readBin(csv_file, "raw", n = file.info(csv_file)$size)
dyad_nul <- dyad_bytes == as.raw(0L)
if (any(dyad_nul)) {
  message(sum(dyad_nul), " NUL character(s) removed from ", csv_file, ": R strings cannot hold them")
  dyad_bytes <- dyad_bytes[!dyad_nul]
}
if (length(dyad_bytes) >= 3L && identical(dyad_bytes[1:3], as.raw(c(0xef, 0xbb, 0xbf)))) {
  dyad_bytes <- dyad_bytes[-(1:3)]
}
dyad_text <- rawToChar(dyad_bytes)
Encoding(dyad_text) <- "UTF-8"
dyad <- utils::read.csv(
  text = dyad_text, encoding = "UTF-8", na.strings = "", check.names = FALSE,
  stringsAsFactors = FALSE, strip.white = FALSE, quote = "\"", comment.char = "",
  colClasses = c(
    "response_id" = "character",
    "instrument_version" = "integer",
    "status" = "character",
    "started_at" = "character",
    "submitted_at" = "character",
    "duration_s" = "numeric",
    "language" = "character",
    "to" = "integer",
    "a_very_long_multiple_choice_idx__1" = "integer",
    "a_very_long_multiple_choice_idx__m2" = "integer",
    "q1" = "integer",
    "q2" = "integer",
    "n" = "integer",
    "t" = "character",
    "score_main" = "numeric",
    "duration_s1_s" = "numeric",
    "dq_speeder" = "integer",
    "dq_straightline" = "integer",
    "dq_attention" = "integer",
    "dq_any" = "integer"
  )
)

dyad_columns <- c(
  "response_id",
  "instrument_version",
  "status",
  "started_at",
  "submitted_at",
  "duration_s",
  "language",
  "to",
  "a_very_long_multiple_choice_idx__1",
  "a_very_long_multiple_choice_idx__m2",
  "q1",
  "q2",
  "n",
  "t",
  "score_main",
  "duration_s1_s",
  "dq_speeder",
  "dq_straightline",
  "dq_attention",
  "dq_any"
)
if (!identical(names(dyad), dyad_columns)) {
  stop("the columns of ", csv_file, " are not those of this export; download the script and the CSV together")
}

for (v in c("started_at", "submitted_at")) {
  dyad[[v]] <- as.POSIXct(dyad[[v]], format = "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")
}

# "q1": missing codes 9 become NA; the code given is kept in "q1__na".
dyad_na <- dyad[["q1"]] %in% c(9L)
dyad[["q1__na"]] <- dyad[["q1"]]
dyad[["q1__na"]][!dyad_na] <- NA
dyad[["q1"]][dyad_na] <- NA
# "q2": missing codes 9 become NA; the code given is kept in "q2__na".
dyad_na <- dyad[["q2"]] %in% c(9L)
dyad[["q2__na"]] <- dyad[["q2"]]
dyad[["q2__na"]][!dyad_na] <- NA
dyad[["q2"]][dyad_na] <- NA
rm(dyad_na)

dyad_label <- function(x, label, labels = NULL) {
  attr(x, "label") <- label
  if (!is.null(labels)) attr(x, "labels") <- labels
  x
}

dyad_factor <- function(x) {
  labels <- attr(x, "labels")
  factor(x, levels = unname(labels), labels = names(labels))
}

dyad[["response_id"]] <- dyad_label(dyad[["response_id"]], "Response id (UUID)")
dyad[["instrument_version"]] <- dyad_label(dyad[["instrument_version"]], "Instrument version answered")
dyad[["status"]] <- dyad_label(dyad[["status"]], "Response status: complete or in_progress")
dyad[["started_at"]] <- dyad_label(dyad[["started_at"]], "Time the response was started (UTC)")
dyad[["submitted_at"]] <- dyad_label(dyad[["submitted_at"]], "Time the response was submitted (UTC)")
dyad[["duration_s"]] <- dyad_label(dyad[["duration_s"]], "Seconds from start to submission")
dyad[["language"]] <- dyad_label(dyad[["language"]], "Language of the respondent interface (BCP 47)")
dyad[["to"]] <- dyad_label(dyad[["to"]], "Reserved in SPSS", structure(c(1L, 0L), names = c("Yes", "No")))
dyad[["a_very_long_multiple_choice_idx__1"]] <- dyad_label(dyad[["a_very_long_multiple_choice_idx__1"]], "Long id: One", structure(c(0L, 1L), names = c("Not selected", "Selected")))
dyad[["a_very_long_multiple_choice_idx__m2"]] <- dyad_label(dyad[["a_very_long_multiple_choice_idx__m2"]], "Long id: Minus two", structure(c(0L, 1L), names = c("Not selected", "Selected")))
dyad[["q1"]] <- dyad_label(dyad[["q1"]], "Line one line two", structure(c(1L, 2L, 3L), names = c("Disagree", "Neither \"yes\" nor 'no'", "Agree, fully")))
attr(dyad[["q1"]], "na_values") <- c(9L)
dyad[["q1__na"]] <- dyad_label(dyad[["q1__na"]], "Line one line two: missing code given", structure(c(9L), names = c("Not applicable")))
dyad[["q2"]] <- dyad_label(dyad[["q2"]], "Reversed $cost `tick`", structure(c(1L, 2L, 3L), names = c("Disagree", "Neither \"yes\" nor 'no'", "Agree, fully")))
attr(dyad[["q2"]], "na_values") <- c(9L)
dyad[["q2__na"]] <- dyad_label(dyad[["q2__na"]], "Reversed $cost `tick`: missing code given", structure(c(9L), names = c("Not applicable")))
dyad[["n"]] <- dyad_label(dyad[["n"]], "A number")
dyad[["t"]] <- dyad_label(dyad[["t"]], "Free text")
dyad[["score_main"]] <- dyad_label(dyad[["score_main"]], "Main score")
dyad[["duration_s1_s"]] <- dyad_label(dyad[["duration_s1_s"]], "Seconds on page: First")
dyad[["dq_speeder"]] <- dyad_label(dyad[["dq_speeder"]], "Speeder", structure(c(0L, 1L), names = c("Not flagged", "Flagged")))
dyad[["dq_straightline"]] <- dyad_label(dyad[["dq_straightline"]], "Straightlining", structure(c(0L, 1L), names = c("Not flagged", "Flagged")))
dyad[["dq_attention"]] <- dyad_label(dyad[["dq_attention"]], "Attention check failed", structure(c(0L, 1L), names = c("Not flagged", "Flagged")))
dyad[["dq_any"]] <- dyad_label(dyad[["dq_any"]], "Any data-quality flag", structure(c(0L, 1L), names = c("Not flagged", "Flagged")))

# Each <item>__na column right after its item.
dyad <- dyad[c(
  "response_id",
  "instrument_version",
  "status",
  "started_at",
  "submitted_at",
  "duration_s",
  "language",
  "to",
  "a_very_long_multiple_choice_idx__1",
  "a_very_long_multiple_choice_idx__m2",
  "q1",
  "q1__na",
  "q2",
  "q2__na",
  "n",
  "t",
  "score_main",
  "duration_s1_s",
  "dq_speeder",
  "dq_straightline",
  "dq_attention",
  "dq_any"
)]

rm(v, dyad_columns, dyad_bytes, dyad_nul, dyad_text)
