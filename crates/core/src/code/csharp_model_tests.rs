//! Snapshot tests of the C# front end: source → call-site model (`Model::describe`).

use super::super::{Context, Language, Options, parse};

fn describe(source: &str) -> String {
    let tree = parse(source, Language::CSharp).expect("C# parses");
    let options = Options { context: Context::default(), conventional_names: false };
    super::model(source, &tree, &options).describe(source)
}

#[test]
fn dump_tree() {
    let Ok(path) = std::env::var("CS_DUMP") else { return };
    let source = std::fs::read_to_string(path).expect("file");
    let tree = parse(&source, Language::CSharp).expect("C# parses");
    println!("{}", tree.root_node().to_sexp());
    println!("{}", describe(&source));
}
