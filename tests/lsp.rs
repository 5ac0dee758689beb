//! `klartext lsp` as an editor drives it: the binary over standard input and output, messages
//! framed with `Content-Length` headers, by a small client written here. Each test is one
//! session; positions are computed from the policy's text, in UTF-16 units as the protocol
//! counts them.

use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// How long an answer may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

/// The real file, so that its imports (`use "lib/…"`) resolve; the server runs in the project.
const URI: &str = concat!(
    "file://",
    env!("CARGO_MANIFEST_DIR"),
    "/policies/stadt-kassel.klar"
);

fn kassel() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/stadt-kassel.klar"
    ))
    .unwrap()
}

/// A language client talking to one `klartext lsp` process.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Notifications that arrived while waiting for a response.
    notifications: VecDeque<Value>,
    next_id: u64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_klartext"))
            .arg("lsp")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the klartext binary starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        // Reads frames on a thread of its own, so that a silent server fails the test after
        // `PATIENCE` instead of blocking it.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            messages,
            notifications: VecDeque::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("standard input is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        self.messages
            .recv_timeout(PATIENCE)
            .expect("the server answers in time")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its response (with `result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return message;
            }
            assert!(
                message.get("id").is_none(),
                "a response to another request: {message}"
            );
            self.notifications.push_back(message);
        }
    }

    /// The result of a request that must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn notification(&mut self, method: &str) -> Value {
        if let Some(at) = self
            .notifications
            .iter()
            .position(|n| n["method"] == method)
        {
            return self.notifications.remove(at).unwrap();
        }
        loop {
            let message = self.receive();
            if message["method"] == method {
                return message["params"].clone();
            }
            self.notifications.push_back(message);
        }
    }

    fn initialize(&mut self) -> Value {
        let result = self.result(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "klartext", "version": 1, "text": text}}),
        );
        self.diagnostics()
    }

    fn change(&mut self, version: i32, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics()
    }

    fn diagnostics(&mut self) -> Vec<Value> {
        let params = self.notification("textDocument/publishDiagnostics");
        assert_eq!(params["uri"], URI);
        params["diagnostics"].as_array().unwrap().clone()
    }

    /// Asks `method` at a position.
    fn at(&mut self, method: &str, position: Value) -> Value {
        self.result(
            method,
            json!({"textDocument": {"uri": URI}, "position": position}),
        )
    }

    /// The names of the activities in the outline of the policy, at any depth.
    fn outline_activities(&mut self) -> BTreeSet<String> {
        let outline = self.result(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        );
        let mut activities = BTreeSet::new();
        let mut stack: Vec<Value> = outline.as_array().unwrap().clone();
        while let Some(symbol) = stack.pop() {
            // 12 is the protocol's kind "function", which the outline gives activities.
            if symbol["kind"] == 12 {
                activities.insert(symbol["name"].as_str().unwrap().to_string());
            }
            stack.extend(symbol["children"].as_array().cloned().unwrap_or_default());
        }
        activities
    }

    /// `shutdown`, `exit`, and the exit code.
    fn stop(mut self) -> i32 {
        let result = self.result("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    fn wait(mut self) -> i32 {
        drop(self.stdin.take());
        self.child.wait().unwrap().code().expect("an exit code")
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test leaves no server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The protocol's position of a byte offset: line, and column in UTF-16 units.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |at| at + 1);
    let column: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": column})
}

/// The offset of a protocol position.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let column = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (at, c) in text[start..].char_indices() {
        if units == column {
            return start + at;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with the edits of a workspace edit for `URI` applied.
fn apply(text: &str, edit: &Value) -> String {
    let mut edits: Vec<(usize, usize, String)> = edit["changes"][URI]
        .as_array()
        .expect("edits for the policy")
        .iter()
        .map(|edit| {
            (
                offset(text, &edit["range"]["start"]),
                offset(text, &edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.0));
    let mut changed = text.to_string();
    for (start, end, new) in edits {
        changed.replace_range(start..end, &new);
    }
    changed
}

/// The ids declared with `keyword` in `text` (`organisation sitepark "…"` gives `sitepark`).
fn declared(text: &str, keyword: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix(keyword)?.strip_prefix(' '))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter(|id| !id.starts_with('"') && *id != "{")
        .map(str::to_string)
        .collect()
}

fn errors(diagnostics: &[Value]) -> Vec<&Value> {
    diagnostics.iter().filter(|d| d["severity"] == 1).collect()
}

#[test]
fn an_editing_session_over_standard_input_and_output() {
    let text = kassel();
    let mut client = Client::start();
    let capabilities = client.initialize()["capabilities"].clone();
    for provider in [
        "hoverProvider",
        "completionProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "documentSymbolProvider",
        "codeActionProvider",
    ] {
        assert!(
            capabilities.get(provider).is_some(),
            "{provider}: {capabilities}"
        );
    }
    assert_eq!(capabilities["documentFormattingProvider"], true);
    assert_eq!(capabilities["textDocumentSync"]["change"], 1, "full text");

    let opened = client.open(&text);
    assert_eq!(opened, Vec::<Value>::new(), "Stadt Kassel has no problems");

    // Hover on an article and on a state code.
    let article = text.find("6(1)(e)").unwrap();
    let hover = client.at("textDocument/hover", position(&text, article + 2));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("Art. 6(1)(e)"), "{shown}");
    assert!(
        shown.contains("Wahrnehmung einer Aufgabe im öffentlichen Interesse"),
        "{shown}"
    );
    assert!(shown.contains("task in the public interest"), "{shown}");
    assert_eq!(hover["range"]["start"], position(&text, article));
    let state = text.find("DE-HE").unwrap();
    let shown = client.at("textDocument/hover", position(&text, state))["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    for expected in [
        "Hessen",
        "Hessisches Datenschutz- und Informationsfreiheitsgesetz (HDSIG)",
        "Der Hessische Beauftragte für Datenschutz und Informationsfreiheit",
    ] {
        assert!(shown.contains(expected), "{expected} in {shown}");
    }

    // Completion after `processor ` offers every organisation of the policy, and only them.
    let processor = text.find("processor sitepark").unwrap() + "processor ".len();
    let completion = client.at("textDocument/completion", position(&text, processor));
    let labels: BTreeSet<String> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap().to_string())
        .collect();
    // The policy's own organisations and those of the library it imports.
    let mut organisations = declared(&text, "organisation");
    let library = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/lib/plattformen.klar"
    ))
    .unwrap();
    organisations.extend(declared(&library, "organisation"));
    assert!(organisations.len() > 10, "{organisations:?}");
    assert_eq!(labels, organisations);
    // Each replaces the word at the cursor.
    assert_eq!(
        completion[0]["textEdit"]["range"],
        json!({"start": position(&text, processor), "end": position(&text, processor + "sitepark".len())})
    );

    // At the start of a line in an activity, only the facts of an activity.
    let push = text.find("activity push").unwrap();
    let line_start = push + text[push..].find('\n').unwrap() + 1;
    let facts = client.at("textDocument/completion", position(&text, line_start + 4));
    let labels: BTreeSet<&str> = facts
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect();
    for fact in ["purpose", "retention", "recipients", "cookie", "allow"] {
        assert!(labels.contains(fact), "{fact} in {labels:?}");
    }
    for other in ["state", "email", "activity", "organisation", "necessary"] {
        assert!(!labels.contains(other), "{other} in {labels:?}");
    }

    // Hover on a lint after `allow`, and on an id.
    let lint = text.find("allow vague-retention").unwrap() + "allow ".len();
    let shown = client.at("textDocument/hover", position(&text, lint))["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(shown.contains("**vague-retention**"), "{shown}");
    assert!(shown.contains("What it checks"), "{shown}");
    let id = text.find("processor sitepark").unwrap() + "processor s".len();
    let shown = client.at("textDocument/hover", position(&text, id))["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        shown.contains("**organisation** `sitepark`: Sitepark GmbH"),
        "{shown}"
    );

    // Go to the definition of a reference.
    let reference = text.find("processor sitepark").unwrap() + "processor ".len() + 3;
    let definition = client.at("textDocument/definition", position(&text, reference));
    assert_eq!(definition["uri"], URI);
    let declaration = text.find("organisation sitepark").unwrap() + "organisation ".len();
    assert_eq!(definition["range"]["start"], position(&text, declaration));
    assert_eq!(
        definition["range"]["end"],
        position(&text, declaration + "sitepark".len())
    );

    // The shipped policy is in the layout of `klartext fmt`: formatting changes nothing.
    let formatting = client.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(formatting, json!([]), "{formatting}");

    // An organisation of an imported library: its definition is in the library's file, and it is
    // renamed there, not from one policy that imports it.
    let imported = text.find("operator twitter-international").unwrap() + "operator ".len() + 2;
    let definition = client.at("textDocument/definition", position(&text, imported));
    let library_uri = concat!(
        "file://",
        env!("CARGO_MANIFEST_DIR"),
        "/policies/lib/plattformen.klar"
    );
    assert_eq!(definition["uri"], library_uri, "{definition}");
    assert_eq!(definition["range"]["start"]["line"], 3, "{definition}");
    let refused = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": position(&text, imported), "newName": "x-corp"}),
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("lib/plattformen.klar"), "{refused}");

    // Renaming changes the declaration and every reference, and nothing else.
    let uses = text.matches(" sitepark").count();
    assert!(uses >= 2);
    let edit = client.result(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": position(&text, reference), "newName": "sitepark-gmbh"}),
    );
    assert_eq!(edit["changes"][URI].as_array().unwrap().len(), uses);
    let renamed = apply(&text, &edit);
    assert_eq!(renamed.matches(" sitepark-gmbh").count(), uses);
    assert_eq!(renamed.matches(" sitepark").count(), uses);
    assert_eq!(renamed.replace("sitepark-gmbh", "sitepark"), text);
    // A name another organisation has is refused.
    let refused = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": URI}, "position": position(&text, reference), "newName": "cisco"}),
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("`cisco` is already the id"), "{refused}");
    assert!(
        client.change(2, &renamed).is_empty(),
        "the renamed ids resolve"
    );

    // The outline lists every activity, at any depth.
    let activities = client.outline_activities();
    assert_eq!(activities, declared(&text, "activity"));
    assert!(activities.len() >= 20, "{activities:?}");

    // Deleting a quote is one error, on its line.
    let email = text.find("email \"info@kassel.de\"").unwrap();
    let closing = email + "email \"info@kassel.de".len();
    let broken = format!("{}{}", &text[..closing], &text[closing + 1..]);
    let diagnostics = client.change(3, &broken);
    let found = errors(&diagnostics);
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        found[0]["range"]["start"]["line"],
        position(&text, email)["line"]
    );
    // The outline of the broken file still has every activity.
    assert_eq!(client.outline_activities(), declared(&text, "activity"));

    // A typo in a reference has a quick fix.
    let typo = text.replacen("processor sitepark", "processor sitpark", 1);
    let diagnostics = client.change(4, &typo);
    let unknown: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "unknown-reference")
        .collect();
    assert_eq!(unknown.len(), 1, "{diagnostics:#?}");
    let at = typo.find("sitpark").unwrap();
    let range = unknown[0]["range"].clone();
    assert_eq!(range["start"], position(&typo, at));
    let actions = client.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range, "context": {"diagnostics": diagnostics}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["title"] == "replace with `sitepark`")
        .unwrap_or_else(|| panic!("{actions:#}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(apply(&typo, &fix["edit"]), text);

    assert_eq!(client.stop(), 0);
}

#[test]
fn requests_the_server_cannot_answer_get_errors_or_empty_answers() {
    let mut client = Client::start();
    let hover = json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}});
    let early = client.request("textDocument/hover", hover.clone());
    assert_eq!(early["error"]["code"], -32002, "not initialized: {early}");
    client.initialize();
    let closed = client.request("textDocument/hover", hover.clone());
    assert_eq!(closed["error"]["code"], -32602, "not open: {closed}");
    let text = kassel();
    assert!(client.open(&text).is_empty());
    let lines = text.lines().count();
    for (line, character) in [
        (lines + 10, 0),
        (0, 100_000),
        (u32::MAX as usize, u32::MAX as usize),
    ] {
        let position = json!({"line": line, "character": character});
        for method in ["textDocument/hover", "textDocument/definition"] {
            let answer = client.at(method, position.clone());
            assert!(answer.is_null(), "{method} at {position}: {answer}");
        }
        let completion = client.at("textDocument/completion", position.clone());
        assert!(
            completion.is_null() || completion.as_array().is_some_and(Vec::is_empty),
            "{position}: {completion}"
        );
    }
    let unreadable = client.request("textDocument/hover", json!({"textDocument": 5}));
    assert_eq!(unreadable["error"]["code"], -32602, "{unreadable}");
    let unknown = client.request("textDocument/semanticTokens/full", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // The server still answers.
    let article = text.find("6(1)(e)").unwrap();
    assert!(
        !client
            .at("textDocument/hover", position(&text, article))
            .is_null()
    );
    // `exit` without `shutdown` is exit code 1.
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), 1);
}
