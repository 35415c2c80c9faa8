package instrument_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"

	"github.com/dyad-survey/dyad/internal/instrument"
	"github.com/dyad-survey/dyad/internal/survey"
)

// FuzzImport feeds arbitrary files to the importers of other formats,
// the content deciding which one reads it as for an upload: none may
// panic, every rejection is a *survey.Error with details, and whatever
// is accepted is a valid instrument whose form builds, with warnings of
// at most survey.MaxDetails (and one counting the rest). Seeds are small
// for the reason FuzzParse gives.
func FuzzImport(f *testing.F) {
	f.Add([]byte("\"Variable / Field Name\",\"Form Name\",\"Section Header\",\"Field Type\",\"Field Label\",\"Choices, Calculations, OR Slider Labels\",\"Field Note\",\"Text Validation Type OR Show Slider Number\",\"Text Validation Min\",\"Text Validation Max\",Identifier?,\"Branching Logic (Show field only if...)\",\"Required Field?\",\"Custom Alignment\",\"Question Number (surveys only)\",\"Matrix Group Name\",\"Matrix Ranking?\",\"Field Annotation\"\nid,f,,text,ID,,,,,,,,,,,,,\na,f,,radio,A,\"1, X | 2, Y\",,,,,,,,,,m,,\nb,f,,text,B,,,integer,0,9,,[a] = '1' or [a] = '2',y,,,,,\n"))
	f.Add([]byte(`{"resourceType":"Questionnaire","title":"T","item":[{"linkId":"a","type":"choice","text":"A","answerOption":[{"valueCoding":{"code":"x"}},{"valueInteger":2}]},{"linkId":"b","type":"integer","text":"B","enableWhen":[{"question":"a","operator":"=","answerCoding":{"code":"x"}}]}]}`))
	f.Add([]byte(`<document><LimeSurveyDocType>Survey</LimeSurveyDocType><groups><rows><row><gid>1</gid><group_name>G</group_name></row></rows></groups><questions><rows><row><qid>1</qid><parent_qid>0</parent_qid><gid>1</gid><type>Y</type><title>Q1</title><question>Q</question></row><row><qid>2</qid><parent_qid>0</parent_qid><gid>1</gid><type>S</type><title>Q2</title><question>R</question><relevance>Q1 == "Y"</relevance></row></rows></questions></document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := instrument.Detect("", "", data)
		if d == nil || d.Sniff == nil {
			return // Dyad's own syntaxes have FuzzParse
		}
		res, err := d.Import(data)
		if err != nil {
			var se *survey.Error
			if !errors.As(err, &se) {
				t.Fatalf("%s: error of type %T: %v", d.Name, err, err)
			}
			if len(se.Details) == 0 || len(se.Details) > survey.MaxDetails+1 {
				t.Fatalf("%s: a rejection with %d details", d.Name, len(se.Details))
			}
			return
		}
		if err := res.Instrument.Validate(); err != nil {
			t.Fatalf("%s: accepted an invalid instrument: %v", d.Name, err)
		}
		if _, err := survey.NewForm(res.Instrument); err != nil {
			t.Fatalf("%s: NewForm: %v", d.Name, err)
		}
		if len(res.Warnings) > survey.MaxDetails+1 {
			t.Fatalf("%s: %d warnings", d.Name, len(res.Warnings))
		}
	})
}

// TestImportBounds: files made to be costly are refused within bounds.
// A spreadsheet of 1 MiB that unpacks to hundreds of megabytes (a zip
// bomb) is refused without unpacking it; a dictionary of many thousand
// fields and a Questionnaire nested thousands deep are refused with a
// short error.
func TestImportBounds(t *testing.T) {
	// The sheet: 200 MB of the same row, which deflate packs into
	// well under a megabyte (deflateBomb).
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, body := range map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(body))
	}
	if err := deflateBomb(zw, "xl/worksheets/sheet1.xml",
		`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`,
		strings.Repeat(`<row><c t="inlineStr"><is><t>text</t></is></c></row>`, 20000), 200<<20,
		`</sheetData></worksheet>`); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	bomb := zbuf.Bytes()
	if len(bomb) > survey.MaxDocumentBytes {
		t.Fatalf("the bomb is %d bytes, over an upload's limit", len(bomb))
	}

	redcapHeader := "\"Variable / Field Name\",\"Form Name\",\"Section Header\",\"Field Type\",\"Field Label\",\"Choices, Calculations, OR Slider Labels\",\"Field Note\",\"Text Validation Type OR Show Slider Number\",\"Text Validation Min\",\"Text Validation Max\",Identifier?,\"Branching Logic (Show field only if...)\",\"Required Field?\",\"Custom Alignment\",\"Question Number (surveys only)\",\"Matrix Group Name\",\"Matrix Ranking?\",\"Field Annotation\"\n"
	var many strings.Builder
	many.WriteString(redcapHeader)
	for i := 0; many.Len() < survey.MaxDocumentBytes-40; i++ {
		many.WriteString("f" + strings.Repeat("x", i%5) + ",f,,text,F,,,,,,,,,,,,,\n")
	}
	deep := `{"resourceType":"Questionnaire","item":[` + strings.Repeat(`{"linkId":"g","type":"group","item":[`, 3000) +
		strings.Repeat(`]}`, 3000) + `]}`

	for name, data := range map[string][]byte{"xlsx bomb": bomb, "many fields": []byte(many.String()), "deep items": []byte(deep)} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			d := instrument.Detect("", "", data)
			if d == nil {
				t.Fatal("not detected")
			}
			_, err := d.Import(data)
			runtime.ReadMemStats(&after)
			var se *survey.Error
			if !errors.As(err, &se) || len(se.Details) == 0 {
				t.Fatalf("%s took it or failed oddly: %v", d.Name, err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
				t.Errorf("%s allocated %d MB", d.Name, alloc>>20)
			}
			t.Logf("%s: %v (%d bytes in)", d.Name, err, len(data))
		})
	}
}

// deflateBomb adds to zw a file of head, then copies of chunk up to
// about size bytes, then tail, compressed. The chunk is compressed once
// and its flushed deflate blocks are repeated: they refer to nothing
// before them, so the copies decompress to the chunk each time, and
// building 200 MB costs one compression of the chunk (deflating it all
// takes a minute under the race detector).
func deflateBomb(zw *zip.Writer, name, head, chunk string, size int, tail string) error {
	segment := func(s string, final bool) ([]byte, error) {
		var b bytes.Buffer
		fw, err := flate.NewWriter(&b, flate.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write([]byte(s)); err != nil {
			return nil, err
		}
		if final {
			err = fw.Close()
		} else {
			err = fw.Flush()
		}
		return b.Bytes(), err
	}
	h, err := segment(head, false)
	if err != nil {
		return err
	}
	c, err := segment(chunk, false)
	if err != nil {
		return err
	}
	tl, err := segment(tail, true)
	if err != nil {
		return err
	}
	n := size / len(chunk)
	crc := crc32.ChecksumIEEE([]byte(head))
	for range n {
		crc = crc32.Update(crc, crc32.IEEETable, []byte(chunk))
	}
	crc = crc32.Update(crc, crc32.IEEETable, []byte(tail))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   uint64(len(h) + n*len(c) + len(tl)),
		UncompressedSize64: uint64(len(head) + n*len(chunk) + len(tail))})
	if err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	for range n {
		if _, err := w.Write(c); err != nil {
			return err
		}
	}
	_, err = w.Write(tl)
	return err
}
