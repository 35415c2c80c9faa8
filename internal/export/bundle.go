package export

import (
	"archive/zip"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/dyad-survey/dyad/internal/survey"
)

// BundleFiles lists the files of the zip bundle, in order, for a base
// name; each is named by its format's file-name rule (formats.go).
func BundleFiles(base string) []string {
	return []string{
		base + csvSuffix(Options{}), // wide, codes, exact text
		base + codebookSuffix,       // one row per column
		base + rSuffix,
		base + spssSuffix,
		base + stataSuffix,
		base + csvSuffix(Options{LineBreaks: LineBreaksSpace}), // the CSV again with line_breaks=space, which the .sps reads
	}
}

// WriteBundle writes the zip bundle: the wide CSV (codes, exact text, no
// byte-order mark), the codebook, the R, SPSS and Stata syntax, and the
// CSV the SPSS syntax reads. Both CSVs come from one pass of scan, so
// they hold the same responses; the SPSS copy waits in a temporary file
// (in os.TempDir) until the first is written, so memory stays flat.
func WriteBundle(ctx context.Context, out io.Writer, f *survey.Form, info SyntaxInfo, scan ScanFunc) (err error) {
	tmp, err := os.CreateTemp("", "dyad-export-*.csv")
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()

	zw := zip.NewWriter(out)
	// Speed over size: a large export is mostly digits and commas, which
	// compress well even at the fastest level.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	names := BundleFiles(info.Base)
	create := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: info.Generated})
	}

	csvw, err := create(names[0])
	if err != nil {
		return err
	}
	exact := NewWriter(csvw, f, Options{Quality: info.Quality})
	spss := NewWriter(tmp, f, Options{LineBreaks: LineBreaksSpace, Quality: info.Quality})
	if err := exact.WriteHeader(); err != nil {
		return err
	}
	if err := spss.WriteHeader(); err != nil {
		return err
	}
	err = scan(ctx, func(r *survey.Response) error {
		if err := exact.Write(r); err != nil {
			return err
		}
		return spss.Write(r)
	})
	if err != nil {
		return err
	}
	if err := exact.Flush(); err != nil {
		return err
	}
	if err := spss.Flush(); err != nil {
		return err
	}

	parts := []func(io.Writer) error{
		func(w io.Writer) error { return WriteCodebook(w, f, Options{Quality: info.Quality}) },
		func(w io.Writer) error { return WriteR(w, f, info) },
		func(w io.Writer) error { return WriteSPSS(w, f, info) },
		func(w io.Writer) error { return WriteStata(w, f, info) },
		func(w io.Writer) error {
			if _, err := tmp.Seek(0, io.SeekStart); err != nil {
				return err
			}
			_, err := io.Copy(w, tmp)
			return err
		},
	}
	for i, write := range parts {
		w, err := create(names[i+1])
		if err != nil {
			return err
		}
		if err := write(w); err != nil {
			return err
		}
	}
	return zw.Close()
}
