//! The law data (`law/*.yaml`) and the labels (`templates/labels.yaml`) are reviewed as YAML,
//! but YAML is slow to read: parsing them took a third of the instructions of `klartext
//! --version` and a tenth of compiling a large policy. The build turns each into JSON, which
//! the binary embeds and reads in a fraction of the time; a file that is not valid YAML fails
//! the build.

use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for folder in ["law", "templates"] {
        println!("cargo::rerun-if-changed={folder}");
        let mut entries: Vec<_> = std::fs::read_dir(folder)
            .unwrap_or_else(|error| panic!("{folder}: {error}"))
            .map(|entry| entry.expect("a readable folder").path())
            .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
            .collect();
        entries.sort();
        std::fs::create_dir_all(Path::new(&out).join(folder)).expect("OUT_DIR is writable");
        for path in entries {
            println!("cargo::rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            let data: serde_json::Value = serde_yaml_ng::from_str(&text)
                .unwrap_or_else(|error| panic!("{} is not valid YAML: {error}", path.display()));
            let json = Path::new(&out).join(folder).join(
                path.with_extension("json")
                    .file_name()
                    .expect("a file name"),
            );
            std::fs::write(&json, data.to_string())
                .unwrap_or_else(|error| panic!("{}: {error}", json.display()));
        }
    }
}
