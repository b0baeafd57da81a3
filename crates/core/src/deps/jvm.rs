//! Maven and Gradle: `pom.xml` (`<dependency>` with `${property}` versions from `<properties>`),
//! `build.gradle` / `build.gradle.kts` (`implementation("group:artifact:version")`) and
//! `gradle.lockfile` (`group:artifact:version=configurations`). Names are `group:artifact`, as
//! Maven advisories name packages.

use std::collections::HashMap;

use super::{Ecosystem, Entry, Parsed, line_at, lines, within};

pub fn pom(text: &str) -> Result<Parsed, String> {
    let document = roxmltree::Document::parse(text).map_err(|err| format!("not valid XML: {err}"))?;
    let properties: HashMap<&str, &str> = document
        .descendants()
        .filter(|node| node.has_tag_name("properties"))
        .flat_map(|properties| properties.children().filter(roxmltree::Node::is_element))
        .filter_map(|property| Some((property.tag_name().name(), property.text()?.trim())))
        .collect();
    let mut parsed = Parsed::default();
    for dependency in document.descendants().filter(|node| node.has_tag_name("dependency")) {
        let (Some(group), Some(artifact)) = (child_text(dependency, "groupId"), child_text(dependency, "artifactId"))
        else {
            continue;
        };
        let Some(written) = child_text(dependency, "version") else { continue }; // managed elsewhere
        let version = match written.strip_prefix("${").and_then(|rest| rest.strip_suffix('}')) {
            Some(property) => match properties.get(property) {
                Some(value) => *value,
                None => continue,
            },
            None => written,
        };
        let version_node = dependency.children().find(|child| child.has_tag_name("version"));
        let line = line_at(text, version_node.unwrap_or(dependency).range().start);
        let exact = (!version.starts_with(['[', '('])).then(|| version.to_string());
        // The pin is rewritten where it is written: in the dependency, or in `<properties>`.
        let version_range = match written == version {
            true => version_node.and_then(|node| within(text, &node.range(), version)),
            false => None,
        };
        let (name, declared) = (format!("{group}:{artifact}"), Some(version.to_string()));
        parsed.entries.push(Entry::declared(Ecosystem::Maven, name, declared, exact, line, version_range));
    }
    Ok(parsed)
}

pub fn build_gradle(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (line, body) in lines(text) {
        let code = body.trim_start();
        if code.starts_with("//") {
            continue;
        }
        // `implementation 'io.jsonwebtoken:jjwt-api:0.11.5'`, `api("com.auth0:java-jwt:4.4.0")`.
        for quoted in code.split(['\'', '"']).skip(1).step_by(2) {
            let mut parts = quoted.split(':');
            let (Some(group), Some(artifact), Some(version), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if group.is_empty() || artifact.is_empty() || !version.starts_with(|ch: char| ch.is_ascii_digit()) {
                continue;
            }
            let version_range = within(text, &line, quoted).map(|range| range.end - version.len()..range.end);
            let (name, pin) = (format!("{group}:{artifact}"), Some(version.to_string()));
            parsed.entries.push(Entry::declared(Ecosystem::Maven, name, pin.clone(), pin, line.clone(), version_range));
        }
    }
    parsed
}

pub fn gradle_lockfile(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (line, body) in lines(text) {
        if body.starts_with('#') {
            continue;
        }
        let coordinates = body.split('=').next().unwrap_or("");
        let mut parts = coordinates.split(':');
        let (Some(group), Some(artifact), Some(version)) = (parts.next(), parts.next(), parts.next()) else { continue };
        parsed.entries.push(Entry::locked(Ecosystem::Maven, format!("{group}:{artifact}"), version, line, false));
    }
    parsed
}

/// The trimmed text of `node`'s child element `name`.
fn child_text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children().find(|child| child.has_tag_name(name)).and_then(|child| child.text()).map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::super::{describe_entries, parse};

    #[test]
    fn maven_poms_with_properties() {
        let pom = r#"<project xmlns="http://maven.apache.org/POM/4.0.0">
  <properties>
    <jjwt.version>0.11.5</jjwt.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>io.jsonwebtoken</groupId>
      <artifactId>jjwt-api</artifactId>
      <version>${jjwt.version}</version>
    </dependency>
    <dependency>
      <groupId>com.nimbusds</groupId>
      <artifactId>nimbus-jose-jwt</artifactId>
      <version>9.37.1</version>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-security</artifactId>
    </dependency>
  </dependencies>
</project>"#;
        let parsed = parse("pom.xml", pom).unwrap();
        assert_eq!(
            describe_entries(&parsed, pom),
            [
                "io.jsonwebtoken:jjwt-api 0.11.5 0.11.5 @9 direct",
                "com.nimbusds:nimbus-jose-jwt 9.37.1 9.37.1 @14 direct [9.37.1]"
            ]
        );
    }

    #[test]
    fn gradle_builds_and_lockfiles() {
        let build = "dependencies {\n    implementation 'io.jsonwebtoken:jjwt-api:0.11.5'\n    implementation(\"com.auth0:java-jwt:4.4.0\")\n    // implementation 'x:y:1.0'\n    testImplementation platform('org.junit:junit-bom:5.10.0')\n}\n";
        let parsed = parse("build.gradle", build).unwrap();
        assert_eq!(
            describe_entries(&parsed, build),
            [
                "io.jsonwebtoken:jjwt-api 0.11.5 0.11.5 @2 direct [0.11.5]",
                "com.auth0:java-jwt 4.4.0 4.4.0 @3 direct [4.4.0]",
                "org.junit:junit-bom 5.10.0 5.10.0 @5 direct [5.10.0]"
            ]
        );
        let lock = "# This is a Gradle generated file for dependency locking.\ncom.nimbusds:nimbus-jose-jwt:9.37.1=compileClasspath,runtimeClasspath\nempty=annotationProcessor\n";
        let parsed = parse("gradle.lockfile", lock).unwrap();
        assert_eq!(describe_entries(&parsed, lock), ["com.nimbusds:nimbus-jose-jwt - 9.37.1 @2"]);
    }
}
