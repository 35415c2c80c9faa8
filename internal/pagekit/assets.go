package pagekit

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// AssetPrefix is where the static files are served (by the respondent
// pages' route GET /s/static/{file}); the dashboard links to them too.
const AssetPrefix = "/s/static/"

// asset is one static file, held in memory plain and gzipped.
type asset struct {
	contentType string
	plain, gz   []byte
}

// assets maps the content-hashed names (app.3f2a9c1b.css) that pages link
// to; assetURL maps each file's own name to its URL. A changed file gets a
// new name, so every asset can be cached for a year.
var assets, assetURL = func() (map[string]*asset, map[string]string) {
	byHash, urls := map[string]*asset{}, map[string]string{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:4]) + ext
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		ct := mime.TypeByExtension(ext)
		if ext == ".js" {
			ct = "text/javascript; charset=utf-8"
		}
		byHash[hashed] = &asset{contentType: ct, plain: b, gz: z.Bytes()}
		urls[e.Name()] = AssetPrefix + hashed
	}
	return byHash, urls
}()

// AssetURL returns the address of a static file by its own name
// ("app.css", "app.js", "icon.svg"): a content-hashed path under
// AssetPrefix, cached for a year. It is "" for an unknown name.
func AssetURL(name string) string { return assetURL[name] }

// ServeAsset answers with the static file of the content-hashed name,
// pre-compressed for clients that take gzip, and reports false, writing
// nothing, when there is no such file.
func ServeAsset(c *gin.Context, hashedName string) bool {
	a := assets[hashedName]
	if a == nil {
		return false
	}
	hdr := c.Writer.Header()
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Add("Vary", "Accept-Encoding")
	body := a.plain
	if AcceptsGzip(c.Request) && len(a.gz) < len(a.plain) {
		hdr.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(http.StatusOK)
	c.Writer.Write(body)
	return true
}
