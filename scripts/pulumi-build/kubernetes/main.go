// Our own entry point for the Kubernetes provider plugin. Upstream's main.go embeds files its `make` generates
// (schema-embed.json, terraform-mapping-embed.json) which the module zip does not carry; build-pulumi.sh copies
// the committed schema.json and terraform-mapping.json from the module cache next to this file (in the
// git-ignored build folder) and this program sets the schema's version the way upstream's generate.go does.
package main

import (
	_ "embed"
	"encoding/json"
	"log"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schemaJSON []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	var schema map[string]json.RawMessage
	if err := json.Unmarshal(schemaJSON, &schema); err != nil {
		log.Fatalf("schema.json: %v", err)
	}
	versionJSON, _ := json.Marshal(version.Version)
	schema["version"] = versionJSON
	versioned, err := json.Marshal(schema)
	if err != nil {
		log.Fatalf("schema.json: %v", err)
	}
	provider.Serve("kubernetes", version.Version, versioned, terraformMapping)
}
