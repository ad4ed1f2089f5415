//! Selector expressions over an agent's typed attributes and skill levels:
//! the language contacts (and their steps) will use to say which agents may
//! take them, beyond skill requirements.
//!
//! ```text
//! agent.language IN ["es", "pt"] AND agent.tenure_months > 6
//!     AND NOT agent.team == "trainee" AND skill.billing >= 5
//! ```
//!
//! * References: `agent.<name>` (a typed attribute) and `skill.<name>`
//!   (a skill level, 0 when the agent lacks the skill).
//! * Comparisons `== != < <= > >=` against a literal: a string in double
//!   quotes (`\"` and `\\` escape), an integer, a number, `true` or `false`.
//!   Integers and numbers compare as numbers; strings compare by `==`/`!=`
//!   and by code point with the ordering operators; booleans by `==`/`!=`.
//! * Membership `IN [...]` and `NOT IN [...]`; on a list attribute, `IN`
//!   holds when any element is listed.
//! * `HAS "x"` (or `CONTAINS "x"`): a list attribute holds the string.
//! * `AND`, `OR`, `NOT`, parentheses. `NOT` binds tightest, then `AND`,
//!   then `OR`. Keywords are upper- or lower-case.
//!
//! A clause on an attribute the agent lacks, or holds with another type
//! than the literal's, is false (so `NOT agent.team == "trainee"` holds for
//! an agent without a team). A clause that can never hold whatever the
//! agent, such as `skill.x == "a"` or `agent.flag < true`, is refused when
//! the expression is parsed, naming its position.

use crate::error::{Error, Result};
use std::fmt;

/// A typed attribute value of an agent, or a literal of an expression: the
/// model's attribute value (one type for both).
pub use crate::types::AttrValue as Value;

/// What a clause reads of the agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ref {
    /// `agent.<name>`: a typed attribute.
    Attr(String),
    /// `skill.<name>`: a skill level (0 without the skill).
    Skill(String),
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Attr(n) => write!(f, "agent.{n}"),
            Ref::Skill(n) => write!(f, "skill.{n}"),
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Eq => o == Equal,
            Cmp::Ne => o != Equal,
            Cmp::Lt => o == Less,
            Cmp::Le => o != Greater,
            Cmp::Gt => o == Greater,
            Cmp::Ge => o != Less,
        }
    }

    fn ordering(self) -> bool {
        !matches!(self, Cmp::Eq | Cmp::Ne)
    }
}

/// A parsed selector.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `ref op literal`.
    Compare(Ref, Cmp, Value),
    /// `ref IN [..]` (or, negated, `NOT IN`).
    In(Ref, Vec<Value>, bool),
    /// `agent.list HAS "x"`.
    Has(Ref, String),
    /// Both.
    And(Box<Expr>, Box<Expr>),
    /// Either.
    Or(Box<Expr>, Box<Expr>),
    /// Not.
    Not(Box<Expr>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
            f.write_str("\"")?;
            for c in s.chars() {
                if matches!(c, '"' | '\\') {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str("\"")
        }
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => write!(f, "{x:.1}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => quoted(f, s),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, s) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    quoted(f, s)?;
                }
                f.write_str("]")
            }
        }
    }
}

/// The expression in the language, with the parentheses its structure
/// needs: parsing it gives the same expression.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, 0)
    }
}

impl Expr {
    /// Writes the expression where the context binds at `prec` (0: OR,
    /// 1: AND, 2: NOT): a looser expression is parenthesised. Chains are
    /// left-associative, as the parser builds them.
    fn write(&self, f: &mut fmt::Formatter<'_>, prec: u8) -> fmt::Result {
        let (own, open) = match self {
            Expr::Or(..) => (0, prec > 0),
            Expr::And(..) => (1, prec > 1),
            _ => (2, false),
        };
        if open {
            f.write_str("(")?;
        }
        match self {
            Expr::Compare(r, op, v) => write!(f, "{r} {} {v}", Tok::Op(*op))?,
            Expr::In(r, list, negated) => {
                write!(f, "{r} {}IN [", if *negated { "NOT " } else { "" })?;
                for (i, v) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")?
            }
            Expr::Has(r, s) => write!(f, "{r} HAS {}", Value::Str(s.clone()))?,
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.write(f, own)?;
                f.write_str(if own == 0 { " OR " } else { " AND " })?;
                b.write(f, own + 1)?;
            }
            Expr::Not(a) => {
                f.write_str("NOT ")?;
                a.write(f, 2)?;
            }
        }
        if open {
            f.write_str(")")?;
        }
        Ok(())
    }

    /// The top-level conjuncts: `a AND b AND c` gives `[a, b, c]`.
    pub fn conjuncts(&self) -> Vec<&Expr> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
            match e {
                Expr::And(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                _ => out.push(e),
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// `AND` of `parts` in order (`None` when empty).
    pub fn all(parts: impl IntoIterator<Item = Expr>) -> Option<Expr> {
        parts.into_iter().reduce(|a, b| Expr::And(Box::new(a), Box::new(b)))
    }

    /// Calls `f` with every reference the expression reads.
    pub fn visit_refs(&self, f: &mut impl FnMut(&Ref)) {
        match self {
            Expr::Compare(r, ..) | Expr::In(r, ..) | Expr::Has(r, _) => f(r),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.visit_refs(f);
                b.visit_refs(f);
            }
            Expr::Not(a) => a.visit_refs(f),
        }
    }
}

/// What an expression reads of one agent.
pub trait Agent {
    /// The agent's attribute `name`, if it has one.
    fn attr(&self, name: &str) -> Option<&Value>;
    /// The agent's level of skill `name` (0 without it).
    fn skill(&self, name: &str) -> u8;
}

impl Expr {
    /// Parses an expression; `InvalidInput` naming the position (in
    /// characters, from 0) and the token when it is not one.
    pub fn parse(text: &str) -> Result<Expr> {
        let tokens = lex(text)?;
        let mut p = Parser { tokens, at: 0, len: text.chars().count() };
        let e = p.or()?;
        match p.peek() {
            None => Ok(e),
            Some(t) => Err(p.error(t, "expected AND, OR or the end")),
        }
    }

    /// Whether `agent` matches.
    pub fn matches(&self, agent: &impl Agent) -> bool {
        match self {
            Expr::And(a, b) => a.matches(agent) && b.matches(agent),
            Expr::Or(a, b) => a.matches(agent) || b.matches(agent),
            Expr::Not(a) => !a.matches(agent),
            Expr::Compare(r, op, lit) => {
                let skill;
                let v = match r {
                    Ref::Skill(n) => {
                        skill = Value::Int(i64::from(agent.skill(n)));
                        &skill
                    }
                    Ref::Attr(n) => match agent.attr(n) {
                        Some(v) => v,
                        None => return false,
                    },
                };
                compare(v, *op, lit)
            }
            Expr::In(r, list, negated) => {
                let found = match r {
                    Ref::Skill(n) => {
                        let level = Value::Int(i64::from(agent.skill(n)));
                        list.iter().any(|l| compare(&level, Cmp::Eq, l))
                    }
                    Ref::Attr(n) => match agent.attr(n) {
                        None => return false,
                        Some(Value::List(items)) => items
                            .iter()
                            .any(|i| list.iter().any(|l| matches!(l, Value::Str(s) if s == i))),
                        Some(v) => list.iter().any(|l| compare(v, Cmp::Eq, l)),
                    },
                };
                found != *negated
            }
            Expr::Has(r, s) => match r {
                Ref::Attr(n) => {
                    matches!(agent.attr(n), Some(Value::List(items)) if items.contains(s))
                }
                Ref::Skill(_) => false,
            },
        }
    }
}

/// A contact's selector: which agents may take it, as an expression of
/// the language; empty (the default) admits every agent. Its serde form,
/// in every format, is its text (the canonical one, which parses back to
/// the same expression); a text that does not parse is refused naming the
/// position and the token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector(Option<std::sync::Arc<Parsed>>);

/// A parsed selector and its canonical text (computed once: routers
/// intern selectors by it).
#[derive(Debug, PartialEq)]
struct Parsed {
    text: String,
    expr: Expr,
}

impl Selector {
    /// Parses `text`; blank text is the empty selector.
    pub fn parse(text: &str) -> Result<Selector> {
        if text.trim().is_empty() {
            return Ok(Selector(None));
        }
        Expr::parse(text).map(Selector::of)
    }

    /// A selector of an expression.
    pub fn of(expr: Expr) -> Selector {
        Selector(Some(std::sync::Arc::new(Parsed { text: expr.to_string(), expr })))
    }

    /// The expression (`None`: every agent).
    pub fn expr(&self) -> Option<&Expr> {
        self.0.as_ref().map(|p| &p.expr)
    }

    /// The canonical text (empty: every agent).
    pub fn text(&self) -> &str {
        self.0.as_ref().map_or("", |p| &p.text)
    }

    /// Whether it admits every agent.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl serde::Serialize for Selector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Selector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Selector::parse(&text).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// An operator of the structured form of a clause
/// ([`crate::model::SelectorClause`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseOp {
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    LessThan,
    /// `<=`
    LessThanOrEqual,
    /// `>`
    GreaterThan,
    /// `>=`
    GreaterThanOrEqual,
    /// `IN [...]` (the value is a list)
    In,
    /// `NOT IN [...]` (the value is a list)
    NotIn,
    /// `HAS "x"` (the value is a string)
    Has,
}

impl Expr {
    /// The clause `key op value` of the structured form: `key` is
    /// `agent.<name>`, `skill.<name>` or a bare attribute name. Refused
    /// (`InvalidInput` naming the key) as the language refuses the same
    /// clause written out.
    pub fn clause(key: &str, op: ClauseOp, value: &Value) -> Result<Expr> {
        let name = key.split_once('.').map_or(key, |(_, n)| n);
        if name.is_empty()
            || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            return Err(Error::invalid(format!(
                "selector key {key:?}: a name holds letters, digits, `_`, `.` and `-` only"
            )));
        }
        if let Value::Float(f) = value {
            if !f.is_finite() {
                return Err(Error::invalid(format!(
                    "selector clause on {key:?}: value {f} is not a finite number"
                )));
            }
        }
        let r = if key.contains('.') {
            reference(0, key).map_err(|_| {
                Error::invalid(format!(
                    "selector key {key:?} is not agent.<name>, skill.<name> or a bare attribute name"
                ))
            })?
        } else if key.is_empty() {
            return Err(Error::invalid("selector key is empty".to_owned()));
        } else {
            Ref::Attr(key.to_owned())
        };
        let whose =
            |e: Error| Error::invalid(format!("selector clause on {key:?}: {}", e.message()));
        let cmp = |op: Cmp| -> Result<Expr> {
            if let Value::List(_) = value {
                return Err(Error::invalid(format!(
                    "selector clause on {key:?}: {op:?} compares with a single value, not a list"
                )));
            }
            check_compare(0, 0, &r, op, value).map_err(whose)?;
            Ok(Expr::Compare(r.clone(), op, value.clone()))
        };
        match op {
            ClauseOp::Equal => cmp(Cmp::Eq),
            ClauseOp::NotEqual => cmp(Cmp::Ne),
            ClauseOp::LessThan => cmp(Cmp::Lt),
            ClauseOp::LessThanOrEqual => cmp(Cmp::Le),
            ClauseOp::GreaterThan => cmp(Cmp::Gt),
            ClauseOp::GreaterThanOrEqual => cmp(Cmp::Ge),
            ClauseOp::In | ClauseOp::NotIn => match value {
                Value::List(items) if !items.is_empty() && matches!(r, Ref::Attr(_)) => Ok(
                    Expr::In(r, items.iter().cloned().map(Value::Str).collect(), op == ClauseOp::NotIn),
                ),
                Value::List(items) if items.is_empty() => Err(Error::invalid(format!(
                    "selector clause on {key:?}: the list of {op:?} is empty"
                ))),
                Value::List(_) => Err(Error::invalid(format!(
                    "selector clause on {key:?}: a skill level is a number; write it in the language (skill.x IN [1, 2])"
                ))),
                v => Err(Error::invalid(format!(
                    "selector clause on {key:?}: {op:?} takes a list of strings, not {}",
                    v.kind()
                ))),
            },
            ClauseOp::Has => match (value, &r) {
                (Value::Str(s), Ref::Attr(_)) => Ok(Expr::Has(r, s.clone())),
                (Value::Str(_), Ref::Skill(_)) => Err(Error::invalid(format!(
                    "selector clause on {key:?}: a skill is a level: HAS applies to a list attribute"
                ))),
                (v, _) => Err(Error::invalid(format!(
                    "selector clause on {key:?}: has takes a string, not {}",
                    v.kind()
                ))),
            },
        }
    }
}

/// `v op lit`; false when the types do not compare.
fn compare(v: &Value, op: Cmp, lit: &Value) -> bool {
    let ord = match (v, lit) {
        (Value::Str(a), Value::Str(b)) => a.as_str().cmp(b.as_str()),
        (Value::Bool(a), Value::Bool(b)) if !op.ordering() => a.cmp(b),
        (Value::Int(a), Value::Int(b)) => a.cmp(b),
        _ => match (v.number(), lit.number()) {
            (Some(a), Some(b)) => match a.partial_cmp(&b) {
                Some(o) => o,
                None => return false,
            },
            _ => return false,
        },
    };
    op.holds(ord)
}

// -- lexer ------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(Value),
    Op(Cmp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "{s}"),
            Tok::Str(s) => write!(f, "{s:?}"),
            Tok::Num(Value::Int(i)) => write!(f, "{i}"),
            Tok::Num(v) => write!(f, "{v:?}"),
            Tok::Op(op) => f.write_str(match op {
                Cmp::Eq => "==",
                Cmp::Ne => "!=",
                Cmp::Lt => "<",
                Cmp::Le => "<=",
                Cmp::Gt => ">",
                Cmp::Ge => ">=",
            }),
            Tok::LParen => f.write_str("("),
            Tok::RParen => f.write_str(")"),
            Tok::LBracket => f.write_str("["),
            Tok::RBracket => f.write_str("]"),
            Tok::Comma => f.write_str(","),
        }
    }
}

fn bad(at: usize, what: impl fmt::Display) -> Error {
    Error::invalid(format!("selector: {what} at position {at}"))
}

/// Tokens with their positions (in characters).
fn lex(text: &str) -> Result<Vec<(usize, Tok)>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '=' | '!' | '<' | '>' => {
                let two = chars.get(i + 1) == Some(&'=');
                let op = match (c, two) {
                    ('=', true) => Cmp::Eq,
                    ('!', true) => Cmp::Ne,
                    ('<', true) => Cmp::Le,
                    ('>', true) => Cmp::Ge,
                    ('<', false) => Cmp::Lt,
                    ('>', false) => Cmp::Gt,
                    _ => {
                        return Err(bad(
                            start,
                            format!("unknown operator {c:?} (comparisons: == != < <= > >=)"),
                        ))
                    }
                };
                i += usize::from(two);
                Tok::Op(op)
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(bad(start, "unterminated string")),
                        Some('"') => break,
                        Some('\\') => match chars.get(i + 1) {
                            Some(&e @ ('"' | '\\')) => {
                                s.push(e);
                                i += 1;
                            }
                            _ => return Err(bad(i, "unknown escape (only \\\" and \\\\)")),
                        },
                        Some(&ch) => s.push(ch),
                    }
                    i += 1;
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut j = i + 1;
                // Digits, letters, `.` and `_`; a sign only after an exponent's `e`.
                let part = |j: usize| {
                    let c = chars[j];
                    c.is_ascii_alphanumeric()
                        || matches!(c, '.' | '_')
                        || (matches!(c, '+' | '-') && matches!(chars[j - 1], 'e' | 'E'))
                };
                while j < chars.len() && part(j) {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                i = j - 1;
                if let Ok(n) = word.parse::<i64>() {
                    Tok::Num(Value::Int(n))
                } else {
                    match word.parse::<f64>() {
                        Ok(f) if f.is_finite() => Tok::Num(Value::Float(f)),
                        _ => return Err(bad(start, format!("bad number {word:?}"))),
                    }
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '.' | '-'))
                {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                i = j - 1;
                Tok::Ident(word)
            }
            c => return Err(bad(start, format!("unexpected character {c:?}"))),
        };
        out.push((start, tok));
        i += 1;
    }
    Ok(out)
}

// -- parser -----------------------------------------------------------------

struct Parser {
    tokens: Vec<(usize, Tok)>,
    at: usize,
    /// Length of the text, the position of its end.
    len: usize,
}

fn keyword(t: &Tok, k: &str) -> bool {
    matches!(t, Tok::Ident(w) if w.eq_ignore_ascii_case(k))
}

impl Parser {
    fn peek(&self) -> Option<&(usize, Tok)> {
        self.tokens.get(self.at)
    }

    fn next(&mut self, expected: &str) -> Result<(usize, Tok)> {
        match self.tokens.get(self.at) {
            Some(t) => {
                self.at += 1;
                Ok(t.clone())
            }
            None => Err(bad(self.len, format!("the expression ends: expected {expected}"))),
        }
    }

    fn error(&self, (at, tok): &(usize, Tok), expected: &str) -> Error {
        bad(*at, format!("unexpected `{tok}`: {expected}"))
    }

    fn eat_keyword(&mut self, k: &str) -> bool {
        let yes = self.peek().is_some_and(|(_, t)| keyword(t, k));
        self.at += usize::from(yes);
        yes
    }

    fn or(&mut self) -> Result<Expr> {
        let mut e = self.and()?;
        while self.eat_keyword("OR") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr> {
        let mut e = self.not()?;
        while self.eat_keyword("AND") {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr> {
        if self.eat_keyword("NOT") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        let t = self.next("a clause such as agent.team == \"x\", NOT or (")?;
        match t.1 {
            Tok::LParen => {
                let e = self.or()?;
                let close = self.next("`)`")?;
                if close.1 != Tok::RParen {
                    return Err(self.error(&close, "expected `)`"));
                }
                Ok(e)
            }
            Tok::Ident(ref w) => {
                let r = reference(t.0, w)?;
                self.clause(t.0, r)
            }
            _ => Err(self.error(&t, "expected agent.<name>, skill.<name>, NOT or (")),
        }
    }

    /// The rest of a clause on `r` (which starts at `at`).
    fn clause(&mut self, at: usize, r: Ref) -> Result<Expr> {
        let t = self.next("an operator: == != < <= > >= IN NOT IN HAS")?;
        match t.1 {
            Tok::Op(op) => {
                let lit_at = self.peek().map_or(self.len, |p| p.0);
                let lit = self.literal()?;
                check_compare(at, lit_at, &r, op, &lit)?;
                Ok(Expr::Compare(r, op, lit))
            }
            Tok::Ident(ref w) if keyword(&t.1, "IN") => {
                let _ = w;
                Ok(Expr::In(r.clone(), self.list(&r)?, false))
            }
            Tok::Ident(_) if keyword(&t.1, "NOT") => {
                let t2 = self.next("IN")?;
                if !keyword(&t2.1, "IN") {
                    return Err(self.error(&t2, "expected IN after NOT"));
                }
                Ok(Expr::In(r.clone(), self.list(&r)?, true))
            }
            Tok::Ident(_) if keyword(&t.1, "HAS") || keyword(&t.1, "CONTAINS") => {
                if let Ref::Skill(_) = r {
                    return Err(bad(
                        at,
                        format!("{r} is a level: HAS applies to a list attribute"),
                    ));
                }
                let lit_at = self.peek().map_or(self.len, |p| p.0);
                match self.literal()? {
                    Value::Str(s) => Ok(Expr::Has(r, s)),
                    v => Err(bad(lit_at, format!("HAS takes a string, not {}", v.kind()))),
                }
            }
            _ => Err(self.error(&t, "expected an operator: == != < <= > >= IN NOT IN HAS")),
        }
    }

    fn literal(&mut self) -> Result<Value> {
        let t = self.next("a value: a string, a number, true or false")?;
        match t.1 {
            Tok::Str(s) => Ok(Value::Str(s)),
            Tok::Num(v) => Ok(v),
            Tok::Ident(ref w) if w == "true" => Ok(Value::Bool(true)),
            Tok::Ident(ref w) if w == "false" => Ok(Value::Bool(false)),
            _ => {
                Err(self.error(&t, "expected a value: a string in quotes, a number, true or false"))
            }
        }
    }

    fn list(&mut self, r: &Ref) -> Result<Vec<Value>> {
        let open = self.next("`[`")?;
        if open.1 != Tok::LBracket {
            return Err(self.error(&open, "expected `[` starting a list"));
        }
        let mut items = Vec::new();
        loop {
            let at = self.peek().map_or(self.len, |p| p.0);
            let v = self.literal()?;
            if matches!(r, Ref::Skill(_)) && v.number().is_none() {
                return Err(bad(at, format!("{r} is a level: it cannot be {}", v.kind())));
            }
            items.push(v);
            let t = self.next("`,` or `]`")?;
            match t.1 {
                Tok::Comma => continue,
                Tok::RBracket => return Ok(items),
                _ => return Err(self.error(&t, "expected `,` or `]`")),
            }
        }
    }
}

/// `agent.<name>` or `skill.<name>`.
fn reference(at: usize, word: &str) -> Result<Ref> {
    let (kind, name) = word.split_once('.').unwrap_or((word, ""));
    if name.is_empty() {
        return Err(bad(at, format!("unexpected `{word}`: expected agent.<name> or skill.<name>")));
    }
    match kind {
        "agent" => Ok(Ref::Attr(name.to_owned())),
        "skill" => Ok(Ref::Skill(name.to_owned())),
        _ => Err(bad(at, format!("unexpected `{word}`: expected agent.<name> or skill.<name>"))),
    }
}

/// Refuses a comparison that cannot hold whatever the agent.
fn check_compare(at: usize, lit_at: usize, r: &Ref, op: Cmp, lit: &Value) -> Result<()> {
    if let Ref::Skill(_) = r {
        if lit.number().is_none() {
            return Err(bad(
                lit_at,
                format!("{r} is a level (0-10): it cannot be compared with {}", lit.kind()),
            ));
        }
    }
    if op.ordering() && matches!(lit, Value::Bool(_)) {
        return Err(bad(at, format!("{r}: booleans have no order; use == or !=")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct A(HashMap<&'static str, Value>, HashMap<&'static str, u8>);

    impl Agent for A {
        fn attr(&self, name: &str) -> Option<&Value> {
            self.0.get(name)
        }
        fn skill(&self, name: &str) -> u8 {
            self.1.get(name).copied().unwrap_or(0)
        }
    }

    fn ana() -> A {
        A(
            HashMap::from([
                ("language", Value::Str("es".into())),
                ("tenure_months", Value::Int(8)),
                ("rating", Value::Float(4.5)),
                ("team", Value::Str("trainee".into())),
                ("remote", Value::Bool(true)),
                ("certs", Value::List(vec!["x".into(), "y".into()])),
            ]),
            HashMap::from([("billing", 6)]),
        )
    }

    fn holds(e: &str) -> bool {
        Expr::parse(e).unwrap_or_else(|err| panic!("{e}: {err}")).matches(&ana())
    }

    fn refused(e: &str) -> String {
        Expr::parse(e).expect_err(e).to_string()
    }

    #[test]
    fn every_operator() {
        for (e, want) in [
            ("agent.language == \"es\"", true),
            ("agent.language != \"es\"", false),
            ("agent.tenure_months > 6", true),
            ("agent.tenure_months >= 8", true),
            ("agent.tenure_months < 8", false),
            ("agent.tenure_months <= 8.0", true),
            ("agent.rating > 4", true),
            ("agent.rating == 4.5", true),
            ("agent.language < \"fr\"", true),
            ("agent.remote == true", true),
            ("agent.remote != true", false),
            ("agent.language IN [\"es\", \"pt\"]", true),
            ("agent.language NOT IN [\"es\", \"pt\"]", false),
            ("agent.certs IN [\"y\", \"z\"]", true),
            ("agent.certs HAS \"x\"", true),
            ("agent.certs CONTAINS \"q\"", false),
            ("skill.billing >= 5", true),
            ("skill.spanish >= 1", false),
            ("skill.spanish == 0", true),
            ("skill.billing IN [5, 6]", true),
        ] {
            assert_eq!(holds(e), want, "{e}");
        }
    }

    #[test]
    fn precedence_and_parentheses() {
        // NOT binds tightest, then AND, then OR.
        assert!(holds(
            "agent.language == \"pt\" OR agent.tenure_months > 6 AND agent.remote == true"
        ));
        assert!(!holds(
            "(agent.language == \"pt\" OR agent.tenure_months > 6) AND agent.remote == false"
        ));
        assert!(!holds("NOT agent.team == \"trainee\" AND agent.remote == true"));
        assert!(holds("NOT (agent.team == \"trainee\" AND agent.remote == false)"));
        assert!(holds("not not agent.remote == true and (skill.billing > 1 or skill.x > 1)"));
        let e = Expr::parse("agent.a == 1 OR agent.b == 2 AND agent.c == 3").unwrap();
        assert!(matches!(e, Expr::Or(_, ref b) if matches!(**b, Expr::And(_, _))));
    }

    #[test]
    fn missing_or_mistyped_attributes_fail_the_clause() {
        assert!(!holds("agent.region == \"eu\""));
        assert!(!holds("agent.region != \"eu\""));
        assert!(holds("NOT agent.region == \"eu\""));
        assert!(!holds("agent.language > 3")); // a string against a number
        assert!(!holds("agent.tenure_months == \"8\""));
        assert!(!holds("agent.language HAS \"es\"")); // not a list
    }

    #[test]
    fn errors_name_the_position_and_the_token() {
        for (e, says) in [
            (
                "agent.team = \"x\"",
                "unknown operator '=' (comparisons: == != < <= > >=) at position 11",
            ),
            ("agent.team == ", "the expression ends: expected a value"),
            ("agent.team == \"x", "unterminated string at position 14"),
            ("agent.team == \"x\" AND", "the expression ends: expected a clause"),
            (
                "agent.team == \"x\" agent.a == 1",
                "unexpected `agent.a`: expected AND, OR or the end at position 18",
            ),
            ("(agent.a == 1", "the expression ends: expected `)` at position 13"),
            ("team == 1", "unexpected `team`: expected agent.<name> or skill.<name> at position 0"),
            ("agent.a IN \"x\"", "unexpected `\"x\"`: expected `[` starting a list at position 11"),
            ("agent.a IN [1,", "the expression ends: expected a value"),
            ("agent.a NOT \"x\"", "expected IN after NOT at position 12"),
            ("agent.a == foo", "unexpected `foo`: expected a value"),
            (
                "skill.es == \"five\"",
                "skill.es is a level (0-10): it cannot be compared with a string at position 12",
            ),
            ("skill.es IN [\"a\"]", "skill.es is a level: it cannot be a string at position 13"),
            (
                "skill.es HAS \"a\"",
                "skill.es is a level: HAS applies to a list attribute at position 0",
            ),
            ("agent.certs HAS 3", "HAS takes a string, not an integer at position 16"),
            ("agent.flag < true", "agent.flag: booleans have no order; use == or != at position 0"),
            ("agent.a == 1e999", "bad number \"1e999\" at position 11"),
            ("agent.a == \"\\n\"", "unknown escape"),
            ("agent.a == 1 ; ", "unexpected character ';' at position 13"),
            ("", "the expression ends"),
        ] {
            let got = refused(e);
            assert!(got.contains(says), "{e}: {got}");
            assert!(got.starts_with("selector: "), "{got}");
        }
    }

    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9_]{0,6}"
    }

    fn literal() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            (-1e9f64..1e9).prop_map(Value::Float),
            "[ -~]{0,8}".prop_map(Value::Str),
        ]
    }

    fn clause() -> impl Strategy<Value = Expr> {
        let cmp = prop_oneof![
            Just(Cmp::Eq),
            Just(Cmp::Ne),
            Just(Cmp::Lt),
            Just(Cmp::Le),
            Just(Cmp::Gt),
            Just(Cmp::Ge)
        ];
        prop_oneof![
            (name(), cmp.clone(), literal())
                .prop_filter("booleans have no order", |(_, op, v)| {
                    !(op.ordering() && matches!(v, Value::Bool(_)))
                })
                .prop_map(|(n, op, v)| Expr::Compare(Ref::Attr(n), op, v)),
            (name(), cmp, 0i64..11).prop_map(|(n, op, v)| Expr::Compare(
                Ref::Skill(n),
                op,
                Value::Int(v)
            )),
            (name(), prop::collection::vec(literal(), 1..4), any::<bool>())
                .prop_map(|(n, l, neg)| Expr::In(Ref::Attr(n), l, neg)),
            (name(), "[ -~]{0,8}").prop_map(|(n, s)| Expr::Has(Ref::Attr(n), s)),
        ]
    }

    fn expr() -> impl Strategy<Value = Expr> {
        clause().prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
                inner.prop_map(|a| Expr::Not(Box::new(a))),
            ]
        })
    }

    proptest! {
        /// Written out and parsed again, any expression is the same one.
        #[test]
        fn an_expression_survives_its_text(e in expr()) {
            let text = e.to_string();
            let back = Expr::parse(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
            prop_assert_eq!(back, e, "{}", text);
        }

        /// No text makes the parser panic: it parses or names the problem.
        #[test]
        fn any_text_parses_or_is_refused_by_name(text in "[ -~]{0,40}") {
            if let Err(e) = Expr::parse(&text) {
                prop_assert!(e.to_string().starts_with("selector: "));
            }
        }
    }

    #[test]
    fn literals() {
        let e = Expr::parse("agent.x == \"a \\\"b\\\" \\\\\" OR agent.n == -3 OR agent.f >= 2.5e1")
            .unwrap();
        let Expr::Or(l, r) = e else { panic!("or") };
        let Expr::Or(s, n) = *l else { panic!("or") };
        assert_eq!(
            *s,
            Expr::Compare(Ref::Attr("x".into()), Cmp::Eq, Value::Str("a \"b\" \\".into()))
        );
        assert_eq!(*n, Expr::Compare(Ref::Attr("n".into()), Cmp::Eq, Value::Int(-3)));
        assert_eq!(*r, Expr::Compare(Ref::Attr("f".into()), Cmp::Ge, Value::Float(25.0)));
    }
}
