#!/usr/bin/env python3
"""Writes the JSON Schema of one version of a Kubernetes CustomResourceDefinition, for check-jsonschema.

    scripts/crd-json-schema.py CRD.yaml VERSION OUT.json

The CRD's openAPIV3Schema describes the resource's fields; this adds what the API server checks around
it (apiVersion and kind must be the CRD's, metadata.name is required) and makes every object strict
(additionalProperties: false unless the CRD allows unknown fields), as `kubectl apply --validate=strict`
does, so a misspelt field is an error rather than silently pruned.
"""
import json
import sys

import yaml


def strict(node):
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node \
                and "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields"):
            node["additionalProperties"] = False
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, version, target = sys.argv[1:]
    with open(source, encoding="utf-8") as handle:
        crd = yaml.safe_load(handle)
    spec = crd["spec"]
    matches = [v for v in spec["versions"] if v["name"] == version]
    if not matches:
        sys.exit(f"{source}: no version {version} (has {', '.join(v['name'] for v in spec['versions'])})")
    schema = matches[0]["schema"]["openAPIV3Schema"]
    strict(schema)
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"const": f"{spec['group']}/{version}"}
    properties["kind"] = {"const": spec["names"]["kind"]}
    properties["metadata"] = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 253},
            "namespace": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "additionalProperties": False,
    }
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata", "spec"})
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["title"] = f"{spec['names']['kind']} ({spec['group']}/{version}), from {source}"
    with open(target, "w", encoding="utf-8") as handle:
        json.dump(schema, handle, indent=1, sort_keys=True)


main()
