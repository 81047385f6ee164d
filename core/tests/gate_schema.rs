//! docs/gate.schema.json is generated from the gate's serde types and the method registry; this
//! test fails when it is stale. `UPDATE_SCHEMA=1 cargo test -p portcullis --test gate_schema`
//! rewrites it.

#[test]
fn gate_schema_json_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/gate.schema.json");
    let mut want = serde_json::to_string_pretty(&portcullis::gate::gate_schema()).unwrap();
    want.push('\n');
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/gate.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test -p portcullis --test gate_schema`"
    );
}

#[test]
fn every_method_is_in_the_schema() {
    let schema = portcullis::gate::gate_schema();
    let methods = &schema["properties"]["credentials"]["additionalProperties"]["oneOf"];
    let names: Vec<&str> = methods
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["properties"]["method"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(names, portcullis::verifier::method_names());
    assert!(schema["$defs"]["Requirement"]["oneOf"].is_array());
}
