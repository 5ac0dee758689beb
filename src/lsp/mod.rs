//! `klartext lsp`: a language server over standard input and output, for editors.
//!
//! Built on `lsp-server` (the transport and JSON-RPC framing) and `lsp-types` (the protocol's
//! types), synchronously: one thread answers one message after the other, which is enough for
//! a policy, which compiles in milliseconds (`cargo bench --bench lsp`).
//!
//! Every open document is compiled as a whole on each change (full-text sync) and kept with its
//! syntax tree and model ([`Document`]); every request is answered from them, one file per
//! kind of request: `diagnostics.rs` (published after each change), `hover.rs`,
//! `completion.rs`, `navigation.rs` (definition, references, rename), `symbols.rs` (the
//! outline), `actions.rs` (quick fixes) and `formatting.rs` (the layout of `klartext fmt`). `convert.rs` turns byte offsets into the protocol's
//! lines and UTF-16 columns and back, and `cursor.rs` finds what stands at a place of the tree.
//!
//! Adding a request is one file with a handler `fn(&Document, Params) -> Answer<Result>`, a line
//! in `Server::document_request`, an `impl OnDocument` for its parameters and its capability in
//! `capabilities`.
//!
//! No input ends the server: a request for a document that is not open, or with parameters it
//! cannot read, gets an error response; a position outside the text, an empty answer.

mod actions;
mod completion;
mod convert;
mod cursor;
mod diagnostics;
mod formatting;
mod hover;
mod navigation;
mod symbols;

use std::collections::BTreeMap;
use std::process::ExitCode;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Exit, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    Initialize, PrepareRenameRequest, References, Rename, Request as _, Shutdown,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CompletionOptions, CompletionParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentFormattingParams, DocumentSymbolParams,
    GotoDefinitionParams, HoverParams, HoverProviderCapability, InitializeResult, OneOf, Position,
    PositionEncodingKind, PublishDiagnosticsParams, ReferenceParams, RenameOptions, RenameParams,
    ServerCapabilities, ServerInfo, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::check;
use crate::compile::{Outcome, compile_keeping_tree};
use crate::imports::Project;
use crate::model::Policy;
use crate::syntax::File;
use convert::LineIndex;

/// Serves one client over standard input and output until it says `exit`, and returns the exit
/// code: 0 after `shutdown` and `exit`, 1 when the client exits without `shutdown` or goes
/// away, 2 when the connection breaks (a message that is not JSON-RPC, standard output closed).
pub fn run() -> ExitCode {
    let (connection, threads) = Connection::stdio();
    let served = serve(&connection);
    // The writer thread ends when the last sender is gone; the reader has ended with `exit` or
    // with the end of its input, which is how `serve` returns.
    drop(connection);
    let joined = threads.join();
    match (served, joined) {
        (Ok(true), Ok(())) => ExitCode::SUCCESS,
        (Ok(false), Ok(())) => ExitCode::from(1),
        (Err(error), _) => {
            eprintln!("klartext lsp: {error}");
            ExitCode::from(2)
        }
        (_, Err(error)) => {
            eprintln!("klartext lsp: {error}");
            ExitCode::from(2)
        }
    }
}

/// Answers messages until `exit` (`Ok(true)` after `shutdown`, `Ok(false)` without) or the end
/// of the input (`Ok(false)`).
fn serve(connection: &Connection) -> Result<bool, String> {
    let mut server = Server::new();
    for message in &connection.receiver {
        for reply in server.handle(message) {
            connection
                .sender
                .send(reply)
                .map_err(|_| "standard output is closed".to_string())?;
        }
        if let Some(clean) = server.exited() {
            return Ok(clean);
        }
    }
    Ok(false)
}

/// Where the server is in the protocol's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before `initialize`: every other request is refused.
    Starting,
    Running,
    /// After `shutdown`: requests are refused until `exit`.
    ShutDown,
    /// `exit` arrived; whether `shutdown` came before it.
    Exited {
        clean: bool,
    },
}

/// The language server without its transport: it takes the client's messages one at a time and
/// returns what to send back. `run` puts it on standard input and output; a benchmark can drive
/// it directly.
pub struct Server {
    state: State,
    /// The open documents by URI.
    documents: BTreeMap<String, Document>,
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

impl Server {
    pub fn new() -> Server {
        Server {
            state: State::Starting,
            documents: BTreeMap::new(),
        }
    }

    /// Handles one message from the client and returns the messages to send: the response to
    /// a request, the diagnostics of a document that changed.
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(request) => vec![Message::Response(self.request(request))],
            Message::Notification(notification) => self
                .notification(notification)
                .into_iter()
                .map(Message::Notification)
                .collect(),
            // The server sends no requests, so there are no responses to wait for.
            Message::Response(_) => Vec::new(),
        }
    }

    /// `Some(clean)` once the client has said `exit`: whether it said `shutdown` first.
    pub fn exited(&self) -> Option<bool> {
        match self.state {
            State::Exited { clean } => Some(clean),
            _ => None,
        }
    }

    fn request(&mut self, request: Request) -> Response {
        let Request { id, method, params } = request;
        let answer = match (self.state, method.as_str()) {
            (State::Starting, Initialize::METHOD) => {
                self.state = State::Running;
                encode(initialize())
            }
            (State::Starting, _) => Err(error(
                ErrorCode::ServerNotInitialized,
                "the server expects `initialize` first",
            )),
            (State::Running, Initialize::METHOD) => Err(error(
                ErrorCode::InvalidRequest,
                "the server is already initialized",
            )),
            (State::Running, Shutdown::METHOD) => {
                self.state = State::ShutDown;
                encode(())
            }
            // A defect in a handler costs its answer, not the editing session: the panic is
            // reported on standard error (which editors log) and as an internal error.
            (State::Running, _) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.document_request(&method, params)
            }))
            .unwrap_or_else(|_| {
                Err(error(
                    ErrorCode::InternalError,
                    format!("klartext failed to answer `{method}`; please report this"),
                ))
            }),
            (State::ShutDown | State::Exited { .. }, _) => Err(error(
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            )),
        };
        Response {
            id,
            response_result: answer,
        }
    }

    /// The requests about one open document, each answered by the handler of its file.
    fn document_request(
        &self,
        method: &str,
        params: serde_json::Value,
    ) -> Answer<serde_json::Value> {
        let documents = &self.documents;
        match method {
            HoverRequest::METHOD => answer::<HoverRequest>(documents, params, hover::hover),
            Completion::METHOD => answer::<Completion>(documents, params, completion::completion),
            GotoDefinition::METHOD => {
                answer::<GotoDefinition>(documents, params, navigation::definition)
            }
            References::METHOD => answer::<References>(documents, params, navigation::references),
            PrepareRenameRequest::METHOD => {
                answer::<PrepareRenameRequest>(documents, params, navigation::prepare_rename)
            }
            Rename::METHOD => answer::<Rename>(documents, params, navigation::rename),
            DocumentSymbolRequest::METHOD => {
                answer::<DocumentSymbolRequest>(documents, params, symbols::outline)
            }
            CodeActionRequest::METHOD => {
                answer::<CodeActionRequest>(documents, params, actions::code_actions)
            }
            Formatting::METHOD => answer::<Formatting>(documents, params, formatting::formatting),
            _ => Err(error(
                ErrorCode::MethodNotFound,
                format!("klartext does not answer `{method}`"),
            )),
        }
    }

    fn notification(&mut self, notification: Notification) -> Option<Notification> {
        let Notification { method, params } = notification;
        if method == Exit::METHOD {
            self.state = State::Exited {
                clean: self.state == State::ShutDown,
            };
            return None;
        }
        if self.state != State::Running {
            return None;
        }
        // A notification cannot be answered with an error; one whose parameters cannot be read
        // is dropped, as the protocol asks.
        let uri = match method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: DidOpenTextDocumentParams = serde_json::from_value(params).ok()?;
                let document = params.text_document;
                let uri = document.uri;
                let opened = Document::new(&uri, document.version, document.text);
                self.documents.insert(uri.as_str().to_string(), opened);
                uri
            }
            DidChangeTextDocument::METHOD => {
                let params: DidChangeTextDocumentParams = serde_json::from_value(params).ok()?;
                let uri = params.text_document.uri;
                let document = self.documents.get_mut(uri.as_str())?;
                let mut text = std::mem::take(&mut document.text);
                for change in params.content_changes {
                    text = apply_change(text, change);
                }
                *document = Document::new(&uri, params.text_document.version, text);
                uri
            }
            DidCloseTextDocument::METHOD => {
                let params: DidCloseTextDocumentParams = serde_json::from_value(params).ok()?;
                let uri = params.text_document.uri;
                self.documents.remove(uri.as_str());
                // Problems of a closed file are no longer shown.
                return Some(publish(PublishDiagnosticsParams {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                }));
            }
            _ => return None,
        };
        let document = self.documents.get(uri.as_str())?;
        Some(publish(diagnostics::publish(document)))
    }
}

/// What the server offers, announced in the answer to `initialize`. Formatting is left out
/// until the formatter is wired in.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            // After a keyword and a space come its values: `processor ` lists the organisations.
            trigger_characters: Some(vec![" ".to_string()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

fn initialize() -> InitializeResult {
    InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "klartext".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    }
}

fn publish(params: PublishDiagnosticsParams) -> Notification {
    Notification::new(PublishDiagnostics::METHOD.to_string(), params)
}

/// The text after one change: the whole new text, or (from a client that sends ranges although
/// the server asked for whole texts) the range replaced. A range outside the text changes
/// nothing.
fn apply_change(text: String, change: lsp_types::TextDocumentContentChangeEvent) -> String {
    let Some(range) = change.range else {
        return change.text;
    };
    let Some(span) = LineIndex::new(&text).span(&text, range) else {
        return text;
    };
    let mut changed = text;
    changed.replace_range(span.range(), &change.text);
    changed
}

/// The path of a `file:` URI (percent-escapes decoded), so that the document's imports resolve
/// against its folder; any other URI as it is.
fn file_name(uri: &Uri) -> String {
    let Some(path) = uri.as_str().strip_prefix("file://") else {
        return uri.as_str().to_string();
    };
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| path.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// An open document and what compiling it gave: the text, where its lines start, the syntax
/// tree and the outcome (the model of what could be read, with its symbol table, and every
/// diagnostic of `klartext check`).
pub(crate) struct Document {
    uri: Uri,
    version: i32,
    text: String,
    lines: LineIndex,
    tree: File,
    outcome: Outcome,
}

impl Document {
    fn new(uri: &Uri, version: i32, text: String) -> Document {
        // Imports are relative to the file and stay inside the folder the editor started the
        // server in (its workspace).
        let (outcome, tree) = compile_keeping_tree(
            &Project::here(),
            &file_name(uri),
            text.as_bytes(),
            check::Options::default(),
        );
        Document {
            uri: uri.clone(),
            version,
            lines: LineIndex::new(&text),
            text,
            tree,
            outcome,
        }
    }

    /// The byte offset of a position, `None` for one outside the text.
    fn offset(&self, position: Position) -> Option<usize> {
        self.lines.offset(&self.text, position)
    }

    /// The model of what could be read, also when the text has errors.
    fn policy(&self) -> Option<&Policy> {
        self.outcome.model.as_ref()
    }
}

/// The answer to a request, or the error response it gets.
type Answer<T> = Result<T, ResponseError>;

fn error(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.into(),
        data: None,
    }
}

fn encode(result: impl Serialize) -> Answer<serde_json::Value> {
    serde_json::to_value(result).map_err(|e| error(ErrorCode::InternalError, e.to_string()))
}

/// Parameters that name the document a request is about.
trait OnDocument {
    fn uri(&self) -> &Uri;
}

impl OnDocument for TextDocumentPositionParams {
    fn uri(&self) -> &Uri {
        &self.text_document.uri
    }
}

impl OnDocument for HoverParams {
    fn uri(&self) -> &Uri {
        self.text_document_position_params.uri()
    }
}

impl OnDocument for GotoDefinitionParams {
    fn uri(&self) -> &Uri {
        self.text_document_position_params.uri()
    }
}

impl OnDocument for CompletionParams {
    fn uri(&self) -> &Uri {
        self.text_document_position.uri()
    }
}

impl OnDocument for ReferenceParams {
    fn uri(&self) -> &Uri {
        self.text_document_position.uri()
    }
}

impl OnDocument for RenameParams {
    fn uri(&self) -> &Uri {
        self.text_document_position.uri()
    }
}

impl OnDocument for DocumentSymbolParams {
    fn uri(&self) -> &Uri {
        &self.text_document.uri
    }
}

impl OnDocument for DocumentFormattingParams {
    fn uri(&self) -> &Uri {
        &self.text_document.uri
    }
}

impl OnDocument for CodeActionParams {
    fn uri(&self) -> &Uri {
        &self.text_document.uri
    }
}

/// Reads a request's parameters, finds its document and answers with `handler`.
fn answer<R>(
    documents: &BTreeMap<String, Document>,
    params: serde_json::Value,
    handler: fn(&Document, R::Params) -> Answer<R::Result>,
) -> Answer<serde_json::Value>
where
    R: lsp_types::request::Request,
    R::Params: DeserializeOwned + OnDocument,
{
    let params: R::Params = serde_json::from_value(params).map_err(|e| {
        error(
            ErrorCode::InvalidParams,
            format!("unreadable parameters: {e}"),
        )
    })?;
    let document = documents.get(params.uri().as_str()).ok_or_else(|| {
        error(
            ErrorCode::InvalidParams,
            format!("{} is not open", params.uri().as_str()),
        )
    })?;
    encode(handler(document, params)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_server::RequestId;
    use serde_json::json;

    const URI: &str = "file:///policy.klar";

    fn request(id: i32, method: &str, params: serde_json::Value) -> Message {
        Message::Request(Request::new(
            RequestId::from(id),
            method.to_string(),
            params,
        ))
    }

    fn notification(method: &str, params: serde_json::Value) -> Message {
        Message::Notification(Notification::new(method.to_string(), params))
    }

    fn opened(text: &str) -> Server {
        let mut server = Server::new();
        server.handle(request(0, "initialize", json!({"capabilities": {}})));
        server.handle(notification("initialized", json!({})));
        let published = server.handle(notification(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "klartext", "version": 1, "text": text}}),
        ));
        assert_eq!(published.len(), 1);
        server
    }

    /// Asks every request the server answers at `line` and `character`, and returns the
    /// responses; each request gets exactly one.
    fn ask_everything(server: &mut Server, line: u32, character: u32) -> Vec<Response> {
        let document = json!({"uri": URI});
        let position = json!({"line": line, "character": character});
        let range = json!({"start": position, "end": {"line": line + 1, "character": 0}});
        let requests = [
            (
                "textDocument/hover",
                json!({"textDocument": document, "position": position}),
            ),
            (
                "textDocument/completion",
                json!({"textDocument": document, "position": position}),
            ),
            (
                "textDocument/definition",
                json!({"textDocument": document, "position": position}),
            ),
            (
                "textDocument/references",
                json!({"textDocument": document, "position": position, "context": {"includeDeclaration": true}}),
            ),
            (
                "textDocument/prepareRename",
                json!({"textDocument": document, "position": position}),
            ),
            (
                "textDocument/rename",
                json!({"textDocument": document, "position": position, "newName": "neu"}),
            ),
            (
                "textDocument/codeAction",
                json!({"textDocument": document, "range": range, "context": {"diagnostics": []}}),
            ),
        ];
        requests
            .into_iter()
            .map(|(method, params)| {
                let replies = server.handle(request(1, method, params));
                match replies.as_slice() {
                    [Message::Response(response)] => response.clone(),
                    other => panic!("{method} at {line}:{character}: {other:?}"),
                }
            })
            .collect()
    }

    /// Every request at every line (and past the last) of the shipped policies, the broken
    /// files of the recovery tests and a few odd texts, at columns from the start to past the
    /// end of the line: the server answers each, and never panics.
    #[test]
    fn every_request_at_every_line_of_intact_and_broken_policies_is_answered() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut texts: Vec<String> = ["policies/stadt-kassel.klar", "examples/minimal.klar"]
            .iter()
            .map(|path| std::fs::read_to_string(format!("{root}/{path}")).unwrap())
            .collect();
        for entry in std::fs::read_dir(format!("{root}/tests/recovery")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "klar") {
                texts.push(std::fs::read_to_string(path).unwrap());
            }
        }
        texts.extend(
            [
                "",
                "\u{feff}",
                "policy",
                "policy \"T\" {\r\n  activity a \"Ä𝄞\" {\r  processor ",
                "policy \"T\" {\n  text \"\"\"\n    offen",
                "}}}{{{\"\"\"",
                "policy \"T\" { organisation x \"X\"; activity a \"A\" { processor x, x, y",
            ]
            .map(str::to_string),
        );
        let mut answered = 0;
        for text in &texts {
            let mut server = opened(text);
            let outline = server.handle(request(
                2,
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": URI}}),
            ));
            assert!(
                matches!(outline.as_slice(), [Message::Response(r)] if r.response_result.is_ok())
            );
            let lines = text.split('\n').count() as u32;
            for line in 0..=lines {
                for character in [0, 3, 5, 11, 24, 1000] {
                    for response in ask_everything(&mut server, line, character) {
                        // Errors are for documents and names; a position gets an answer.
                        if let Err(error) = &response.response_result {
                            assert_eq!(error.code, ErrorCode::RequestFailed as i32, "{error:?}");
                        }
                        answered += 1;
                    }
                }
            }
        }
        // Stadt Kassel alone has more than a thousand lines.
        assert!(answered > 40_000, "{answered} answers");
    }

    #[test]
    fn the_lifecycle_is_kept() {
        let mut server = Server::new();
        let hover = json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}});
        let refused = |replies: Vec<Message>, code: ErrorCode| match replies.as_slice() {
            [Message::Response(response)] => {
                assert_eq!(
                    response.response_result.as_ref().err().map(|e| e.code),
                    Some(code as i32)
                )
            }
            other => panic!("{other:?}"),
        };
        refused(
            server.handle(request(1, "textDocument/hover", hover.clone())),
            ErrorCode::ServerNotInitialized,
        );
        // Notifications before `initialize` are dropped.
        assert!(server
            .handle(notification(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": URI, "languageId": "klartext", "version": 1, "text": ""}}),
            ))
            .is_empty());
        server.handle(request(2, "initialize", json!({"capabilities": {}})));
        refused(
            server.handle(request(3, "textDocument/hover", hover.clone())),
            ErrorCode::InvalidParams,
        );
        refused(
            server.handle(request(4, "initialize", json!({"capabilities": {}}))),
            ErrorCode::InvalidRequest,
        );
        refused(
            server.handle(request(5, "workspace/symbol", json!({"query": ""}))),
            ErrorCode::MethodNotFound,
        );
        refused(
            server.handle(request(6, "textDocument/hover", json!({"position": 3}))),
            ErrorCode::InvalidParams,
        );
        server.handle(request(7, "shutdown", serde_json::Value::Null));
        refused(
            server.handle(request(8, "textDocument/hover", hover)),
            ErrorCode::InvalidRequest,
        );
        assert_eq!(server.exited(), None);
        server.handle(notification("exit", serde_json::Value::Null));
        assert_eq!(server.exited(), Some(true));

        let mut abrupt = opened("");
        abrupt.handle(notification("exit", serde_json::Value::Null));
        assert_eq!(abrupt.exited(), Some(false));
    }

    #[test]
    fn a_change_with_a_range_is_applied_to_the_text() {
        let mut server = opened("policy \"T\" {\n  stat DE-HE\n}\n");
        let published = server.handle(notification(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
                {"range": {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 6}}, "text": "e"},
                {"range": {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 0}}, "text": "ignored"},
            ]}),
        ));
        assert_eq!(
            server.documents[URI].text,
            "policy \"T\" {\n  state DE-HE\n}\n"
        );
        let [Message::Notification(published)] = published.as_slice() else {
            panic!("{published:?}");
        };
        assert_eq!(published.params["version"], 2);
        assert!(
            published.params["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["code"] != "unknown-keyword")
        );
        // Closing the document withdraws its diagnostics.
        let closed = server.handle(notification(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        ));
        let [Message::Notification(closed)] = closed.as_slice() else {
            panic!("{closed:?}");
        };
        assert_eq!(closed.params["diagnostics"], json!([]));
        assert!(server.documents.is_empty());
    }
}
