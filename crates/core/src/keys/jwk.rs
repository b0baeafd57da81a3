//! JWK and JWKS JSON (RFC 7517): `{"keys": [...]}` or a single key object. Each entry is read on
//! its own: one bad entry becomes a note, the rest still load. Private members (`d`, `p`, ...)
//! are never used; a note says they are there.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use super::{Key, KeyMaterial, KeySource, der};

/// At most this many keys are read from one set.
pub const MAX_KEYS_PER_SET: usize = 256;

/// base64url with or without padding, as JWK producers disagree.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth"];

/// Keys in a JWK or JWKS document.
pub fn keys_from_json(text: &str, source: KeySource) -> Result<(Vec<Key>, Vec<String>), String> {
    let value: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|err| format!("not valid JSON ({err})"))?;
    let Value::Object(object) = value else {
        return Err("JSON, but not an object: expected a JWK or {\"keys\": [...]}".to_string());
    };
    let single_text = text.trim();
    let (entries, is_set): (Vec<&Value>, bool) = match object.get("keys") {
        Some(Value::Array(entries)) => (entries.iter().collect(), true),
        Some(_) => return Err("`keys` is not an array".to_string()),
        None if object.contains_key("kty") => (Vec::new(), false),
        None => return Err("neither a JWKS (`keys` array) nor a JWK (`kty`)".to_string()),
    };
    let mut keys = Vec::new();
    let mut notes = Vec::new();
    if !is_set {
        match key_from_jwk(&object, source.clone()) {
            Ok(mut key) => {
                if key.material.is_public() {
                    key.add_public_text(single_text.as_bytes());
                    key.add_public_text(text.as_bytes());
                }
                keys.push(key);
            }
            Err(reason) => return Err(reason),
        }
        if has_private_members(&object) {
            notes.push(
                "contains private key members (`d`, ...): only the public part is used; do not commit private keys"
                    .to_string(),
            );
        }
        return Ok((keys, notes));
    }
    if entries.len() > MAX_KEYS_PER_SET {
        notes.push(format!("{} keys; only the first {MAX_KEYS_PER_SET} are read", entries.len()));
    }
    for (index, entry) in entries.into_iter().take(MAX_KEYS_PER_SET).enumerate() {
        let Value::Object(jwk) = entry else {
            notes.push(format!("key #{}: not an object; skipped", index + 1));
            continue;
        };
        if has_private_members(jwk) {
            notes.push(format!("key #{}: contains private members; only the public part is used", index + 1));
        }
        match key_from_jwk(jwk, source.clone()) {
            Ok(mut key) => {
                key.index = Some(index);
                keys.push(key);
            }
            Err(reason) => notes.push(format!("key #{}: {reason}; skipped", index + 1)),
        }
    }
    if keys.is_empty() {
        let detail = if notes.is_empty() { "the set is empty".to_string() } else { notes.join("; ") };
        return Err(format!("no usable key ({detail})"));
    }
    Ok((keys, notes))
}

fn has_private_members(jwk: &Map<String, Value>) -> bool {
    jwk.get("kty").and_then(Value::as_str) != Some("oct") && PRIVATE_MEMBERS.iter().any(|name| jwk.contains_key(*name))
}

/// One JWK object as a key.
pub fn key_from_jwk(jwk: &Map<String, Value>, source: KeySource) -> Result<Key, String> {
    let kty = jwk.get("kty").and_then(Value::as_str).ok_or("no `kty`")?;
    let material = match kty {
        "RSA" => KeyMaterial::Rsa { n: member(jwk, "n")?, e: member(jwk, "e")? },
        "EC" => {
            let crv = jwk.get("crv").and_then(Value::as_str).ok_or("EC key without `crv`")?;
            let x = member(jwk, "x")?;
            let y = member(jwk, "y")?;
            let mut point = vec![0x04];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            match der::ec_point(crv, &point) {
                Some(material @ KeyMaterial::Ec { .. }) => material,
                _ => return Err(format!("EC key on `{crv}` with bad coordinates")),
            }
        }
        "OKP" => {
            let crv = jwk.get("crv").and_then(Value::as_str).ok_or("OKP key without `crv`")?;
            KeyMaterial::Okp { crv: crv.to_string(), x: member(jwk, "x")? }
        }
        "oct" => {
            let secret = member(jwk, "k")?;
            if secret.is_empty() {
                return Err("`oct` key with an empty `k`".to_string());
            }
            KeyMaterial::Secret(secret)
        }
        other => return Err(format!("unsupported `kty` `{other}`")),
    };
    let text = |name: &str| jwk.get(name).and_then(Value::as_str).map(str::to_string);
    let mut key = Key::new(material, source);
    key.kid = text("kid");
    key.alg = text("alg");
    key.key_use = text("use");
    if key.material.is_public() {
        // A confused verifier may read the JWK as JSON text: compact, as published.
        if let Ok(compact) = serde_json::to_string(jwk) {
            key.add_public_text(compact.as_bytes());
        }
        let public_only: Map<String, Value> = jwk
            .iter()
            .filter(|(name, _)| !PRIVATE_MEMBERS.contains(&name.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Ok(compact) = serde_json::to_string(&public_only) {
            key.add_public_text(compact.as_bytes());
        }
    }
    Ok(key)
}

fn member(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    let text = jwk.get(name).and_then(Value::as_str).ok_or_else(|| format!("missing `{name}`"))?;
    BASE64URL.decode(text.trim()).map_err(|_| format!("`{name}` is not base64url"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Origin;

    fn source() -> KeySource {
        KeySource::new("jwks.json", Origin::Configured)
    }

    #[test]
    fn reads_a_set_and_keeps_good_entries() {
        let text = r#"{"keys":[
            {"kty":"EC","crv":"P-256","kid":"a","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty":"RSA","kid":"broken","n":"***","e":"AQAB"},
            "nonsense",
            {"kty":"oct","kid":"h","k":"c2VjcmV0"}
        ]}"#;
        let (keys, notes) = keys_from_json(text, source()).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].kid.as_deref(), Some("a"));
        assert_eq!(keys[0].material.kind(), "EC P-256");
        assert_eq!(keys[1].material, KeyMaterial::Secret(b"secret".to_vec()));
        assert_eq!(keys[1].index, Some(3));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("key #2") && notes[0].contains("base64url"));
    }

    #[test]
    fn rejects_non_keys_with_a_reason() {
        for (text, expected) in [
            ("[]", "not an object"),
            ("{", "not valid JSON"),
            (r#"{"keys": 3}"#, "not an array"),
            (r#"{"keys": []}"#, "empty"),
            (r#"{"hello": 1}"#, "neither"),
            (r#"{"kty":"XYZ"}"#, "unsupported"),
        ] {
            let err = keys_from_json(text, source()).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn a_single_public_jwk_keeps_its_text_for_the_confusion_check() {
        let text = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;
        let (keys, notes) = keys_from_json(text, source()).unwrap();
        assert_eq!(keys[0].material.kind(), "OKP Ed25519");
        assert!(notes[0].contains("private"));
        let public = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        assert!(keys[0].public_texts.iter().any(|text| text == public.as_bytes()));
    }
}
