//! Marketo's advanced filter logic: `1 and (2 or not 3)`.
//!
//! Precedence, tightest first: `not`, `and`, `or`; keywords are case-insensitive. Filters are
//! numbered from 1.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logic {
    /// 0-based index of a filter.
    Filter(usize),
    Not(Box<Logic>),
    And(Vec<Logic>),
    Or(Vec<Logic>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicError {
    /// 1-based character position in the logic string.
    pub position: usize,
    pub message: String,
}

impl fmt::Display for LogicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, at character {}", self.message, self.position)
    }
}

/// Deepest nesting of parentheses and `not` accepted: deeper is surely a mistake, and the parser
/// is recursive.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// The value (saturated) and the digits as written, for messages.
    Number(u64, String),
    And,
    Or,
    Not,
    Open,
    Close,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(_, digits) => write!(f, "`{digits}`"),
            Self::And => f.write_str("`and`"),
            Self::Or => f.write_str("`or`"),
            Self::Not => f.write_str("`not`"),
            Self::Open => f.write_str("`(`"),
            Self::Close => f.write_str("`)`"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, LogicError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            tokens.push((start, if c == '(' { Token::Open } else { Token::Close }));
            i += 1;
        } else if c.is_ascii_digit() {
            let mut n: u64 = 0;
            let mut digits = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                n = n.saturating_mul(10).saturating_add(u64::from(chars[i].to_digit(10).unwrap_or(0)));
                digits.push(chars[i]);
                i += 1;
            }
            tokens.push((start, Token::Number(n, digits)));
        } else if c.is_alphabetic() {
            let mut word = String::new();
            while i < chars.len() && chars[i].is_alphanumeric() {
                word.push(chars[i]);
                i += 1;
            }
            let token = match word.to_lowercase().as_str() {
                "and" => Token::And,
                "or" => Token::Or,
                "not" => Token::Not,
                _ => {
                    return Err(LogicError {
                        position: start,
                        message: format!(
                            "unknown word `{word}`; use filter numbers, `and`, `or`, `not` and parentheses"
                        ),
                    });
                }
            };
            tokens.push((start, token));
        } else {
            return Err(LogicError { position: start, message: format!("unexpected character `{c}`") });
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    filters: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |(p, _)| *p)
    }

    fn or(&mut self) -> Result<Logic, LogicError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.next += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Logic::Or(parts) })
    }

    fn and(&mut self) -> Result<Logic, LogicError> {
        let mut parts = vec![self.not()?];
        while self.peek() == Some(&Token::And) {
            self.next += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Logic::And(parts) })
    }

    fn enter(&mut self) -> Result<(), LogicError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(LogicError {
                position: self.position(),
                message: format!("the logic nests deeper than {MAX_DEPTH} levels of `(` and `not`"),
            });
        }
        Ok(())
    }

    fn not(&mut self) -> Result<Logic, LogicError> {
        if self.peek() == Some(&Token::Not) {
            self.next += 1;
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Logic::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Logic, LogicError> {
        let position = self.position();
        match self.tokens.get(self.next).map(|(_, t)| t.clone()) {
            Some(Token::Number(n, digits)) => {
                self.next += 1;
                if n == 0 || n > self.filters as u64 {
                    return Err(LogicError {
                        position,
                        message: format!("filter {digits} does not exist: there are filters 1 to {}", self.filters),
                    });
                }
                Ok(Logic::Filter((n - 1) as usize))
            }
            Some(Token::Open) => {
                self.next += 1;
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                if self.peek() == Some(&Token::Close) {
                    self.next += 1;
                    Ok(inner)
                } else {
                    Err(LogicError {
                        position: self.position(),
                        message: format!("missing `)` for the `(` opened at character {position}"),
                    })
                }
            }
            Some(other) => {
                Err(LogicError { position, message: format!("expected a filter number or `(`, found {other}") })
            }
            None => Err(LogicError { position, message: "expected a filter number or `(` at the end".to_owned() }),
        }
    }
}

/// Parses `text` for a rule with `filters` filters.
pub fn parse(text: &str, filters: usize) -> Result<Logic, LogicError> {
    let tokens = tokenize(text)?;
    let end = text.chars().count() + 1;
    if tokens.is_empty() {
        return Err(LogicError { position: 1, message: "the logic is empty".to_owned() });
    }
    let mut parser = Parser { tokens, next: 0, filters, end, depth: 0 };
    let logic = parser.or()?;
    if let Some(token) = parser.peek() {
        let message = if *token == Token::Close {
            "unbalanced `)`".to_owned()
        } else {
            format!("expected `and`, `or` or the end, found {token}")
        };
        return Err(LogicError { position: parser.position(), message });
    }
    Ok(logic)
}

impl Logic {
    /// Marks in `used` every filter the expression names.
    pub fn mark_used(&self, used: &mut [bool]) {
        match self {
            Self::Filter(i) => {
                if let Some(u) = used.get_mut(*i) {
                    *u = true;
                }
            }
            Self::Not(inner) => inner.mark_used(used),
            Self::And(parts) | Self::Or(parts) => parts.iter().for_each(|p| p.mark_used(used)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(i: usize) -> Logic {
        Logic::Filter(i)
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        assert_eq!(
            parse("1 or 2 AND not 3", 3).unwrap(),
            Logic::Or(vec![f(0), Logic::And(vec![f(1), Logic::Not(Box::new(f(2)))])])
        );
        assert_eq!(parse("1 and (2 or 3)", 3).unwrap(), Logic::And(vec![f(0), Logic::Or(vec![f(1), f(2)])]));
        assert_eq!(parse("NOT not 1", 1).unwrap(), Logic::Not(Box::new(Logic::Not(Box::new(f(0))))));
    }

    #[test]
    fn errors_name_the_place() {
        let cases = [
            ("1 and (2 or 3", 3, "missing `)` for the `(` opened at character 7, at character 14"),
            (
                "99999999999999999999999 or 1",
                2,
                "filter 99999999999999999999999 does not exist: there are filters 1 to 2, at character 1",
            ),
            ("1 and 2)", 2, "unbalanced `)`, at character 8"),
            ("0 or 1", 2, "filter 0 does not exist: there are filters 1 to 2, at character 1"),
            ("1 or 3", 2, "filter 3 does not exist: there are filters 1 to 2, at character 6"),
            ("1 and", 2, "expected a filter number or `(` at the end, at character 6"),
            ("1 2", 2, "expected `and`, `or` or the end, found `2`, at character 3"),
            (
                "1 xor 2",
                2,
                "unknown word `xor`; use filter numbers, `and`, `or`, `not` and parentheses, at character 3",
            ),
            ("1 & 2", 2, "unexpected character `&`, at character 3"),
            ("  ", 2, "the logic is empty, at character 1"),
            ("()", 2, "expected a filter number or `(`, found `)`, at character 2"),
        ];
        for (text, n, expected) in cases {
            assert_eq!(parse(text, n).unwrap_err().to_string(), expected, "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep, 1).unwrap_err().message.contains("nests deeper than 64"));
        let nots = format!("{}1", "not ".repeat(100_000));
        assert!(parse(&nots, 1).unwrap_err().message.contains("nests deeper than 64"));
        let fine = format!("{}1{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(parse(&fine, 1).unwrap(), Logic::Filter(0));
    }

    #[test]
    fn marks_used_filters() {
        let mut used = vec![false; 3];
        parse("1 or not 3", 3).unwrap().mark_used(&mut used);
        assert_eq!(used, vec![true, false, true]);
    }
}
