//! NuGet: project files (`*.csproj`, `Directory.Packages.props`: `<PackageReference>` and
//! `<PackageVersion>` with a `Version` attribute or element) and `packages.lock.json` (resolved
//! versions per target framework, `"type": "Direct"` for the project's own references).

use serde_json::Value;

use super::{Ecosystem, Entry, Parsed, find_json_key, line_at, within};

pub fn project_file(text: &str) -> Result<Parsed, String> {
    let document = roxmltree::Document::parse(text).map_err(|err| format!("not valid XML: {err}"))?;
    let mut parsed = Parsed::default();
    let references = document
        .descendants()
        .filter(|node| node.has_tag_name("PackageReference") || node.has_tag_name("PackageVersion"));
    for node in references {
        let Some(name) = node.attribute("Include").or_else(|| node.attribute("Update")) else { continue };
        let version = node
            .attribute("Version")
            .or_else(|| node.attribute("VersionOverride"))
            .or_else(|| node.children().find(|child| child.has_tag_name("Version")).and_then(|child| child.text()));
        // Without a version the reference takes it from `Directory.Packages.props`.
        let Some(version) = version.map(str::trim).filter(|version| !version.is_empty()) else { continue };
        let line = line_at(text, node.range().start);
        // `7.0.3` is a minimum NuGet resolves to exactly, `[7.0.3]` an exact pin; ranges and
        // floating versions (`7.*`) are not pins.
        let pin = version.trim_start_matches('[').trim_end_matches(']');
        let exact = (!version.starts_with('(') && !pin.contains([',', '*', '$'])).then(|| pin.to_string());
        let element = node.range();
        let version_range = exact.as_deref().and_then(|pin| within(text, &(element.start..element.end), pin));
        let declared = Some(version.to_string());
        parsed.entries.push(Entry::declared(Ecosystem::NuGet, name, declared, exact, line, version_range));
    }
    Ok(parsed)
}

pub fn packages_lock(text: &str) -> Result<Parsed, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))?;
    let mut parsed = Parsed::default();
    let frameworks = value.get("dependencies").and_then(Value::as_object).into_iter().flat_map(|by| by.iter());
    let mut from = 0;
    for (framework, packages) in frameworks {
        let framework_at = find_json_key(text, from, framework, b'{').unwrap_or(from);
        from = framework_at;
        for (name, package) in packages.as_object().into_iter().flatten() {
            let Some(version) = package.get("resolved").and_then(Value::as_str) else { continue };
            if parsed.entries.iter().any(|entry| entry.name == *name && entry.exact.as_deref() == Some(version)) {
                continue; // the same package in another framework
            }
            let at = find_json_key(text, framework_at, name, b'{').unwrap_or(framework_at);
            let direct = package.get("type").and_then(Value::as_str) == Some("Direct");
            parsed.entries.push(Entry::locked(Ecosystem::NuGet, name, version, line_at(text, at), direct));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::super::{describe_entries, parse};

    #[test]
    fn project_files_and_the_lockfile() {
        let project = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <ItemGroup>
    <PackageReference Include="Microsoft.AspNetCore.Authentication.JwtBearer" Version="8.0.0" />
    <PackageReference Include="System.IdentityModel.Tokens.Jwt">
      <Version>6.30.0</Version>
    </PackageReference>
    <PackageReference Include="Serilog" Version="[3.0,4.0)" />
    <PackageReference Include="Central" />
  </ItemGroup>
</Project>"#;
        let parsed = parse("Api.csproj", project).unwrap();
        assert_eq!(
            describe_entries(&parsed, project),
            [
                "Microsoft.AspNetCore.Authentication.JwtBearer 8.0.0 8.0.0 @3 direct [8.0.0]",
                "System.IdentityModel.Tokens.Jwt 6.30.0 6.30.0 @4 direct [6.30.0]",
                "Serilog [3.0,4.0) - @7 direct"
            ]
        );
        let central = r#"<Project><ItemGroup><PackageVersion Include="System.IdentityModel.Tokens.Jwt" Version="7.0.3" /></ItemGroup></Project>"#;
        assert_eq!(parse("Directory.Packages.props", central).unwrap().entries.len(), 1);
        let lock = r#"{
  "version": 1,
  "dependencies": {
    "net8.0": {
      "System.IdentityModel.Tokens.Jwt": {
        "type": "Direct",
        "requested": "[6.30.0, )",
        "resolved": "6.30.0"
      },
      "Microsoft.IdentityModel.Tokens": {
        "type": "Transitive",
        "resolved": "6.30.0"
      }
    }
  }
}"#;
        let parsed = parse("packages.lock.json", lock).unwrap();
        assert_eq!(
            describe_entries(&parsed, lock),
            ["System.IdentityModel.Tokens.Jwt - 6.30.0 @5 direct", "Microsoft.IdentityModel.Tokens - 6.30.0 @10"]
        );
        assert!(parse("Api.csproj", "<Project>").unwrap().problem.is_some());
    }
}
