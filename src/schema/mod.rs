//! The JSON Schema (draft 2020-12) of the output contract, `schema_version` "1".
//!
//! `kehoach schema` prints it; `tests/schema.rs` validates every corpus output against it
//! and checks that it rejects wrong shapes. Keep it in step with [`crate::model`].

/// The schema text, embedded at build time.
pub const JSON_SCHEMA: &str = include_str!("kehoach.schema.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_json_and_pins_the_version() {
        let v: serde_json::Value = serde_json::from_str(JSON_SCHEMA).expect("schema parses");
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(v["properties"]["schema_version"]["const"], crate::model::SCHEMA_VERSION);
    }
}
