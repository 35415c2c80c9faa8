// Package api holds Dyad's published contracts, embedded so that code and
// tests can read them without knowing where the repository lies on disk:
//
//   - openapi.yaml, the OpenAPI description of the HTTP API served by
//     internal/httpapi;
//   - instrument.schema.json, the JSON Schema of the instrument format read
//     by internal/instrument, for editors and CI.
//
// Tests keep both in step with the code: every route of the router is
// documented and nothing else is, and every shipped instrument validates
// against the schema.
package api

import "embed"

// FS holds openapi.yaml and instrument.schema.json.
//
//go:embed openapi.yaml instrument.schema.json
var FS embed.FS

// File names inside FS.
const (
	OpenAPIFile          = "openapi.yaml"
	InstrumentSchemaFile = "instrument.schema.json"
)
