#include "services/segment/segment_rule.h"

#include <cctype>
#include <cstdlib>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"

namespace crm::segment {
namespace {

enum class Field {
  kRecencyDays,
  kFrequency,
  kMonetaryMinor,
  kR,
  kF,
  kM,
  kClv,
  kPAlive,
  kComplaintsFiled,
  kComplaintsOpen,
  kSatisfaction,
  // Text fields from here on.
  kRfmCell,
  kRfmSegment,
  kTier,
  kStage,
  kAbc,
  kQuadrant,
};

struct FieldName {
  const char* name;
  Field field;
};

constexpr FieldName kFields[] = {
    {"recency_days", Field::kRecencyDays},
    {"frequency", Field::kFrequency},
    {"monetary_minor", Field::kMonetaryMinor},
    {"r", Field::kR},
    {"f", Field::kF},
    {"m", Field::kM},
    {"clv", Field::kClv},
    {"p_alive", Field::kPAlive},
    {"complaints_filed", Field::kComplaintsFiled},
    {"complaints_open", Field::kComplaintsOpen},
    {"satisfaction", Field::kSatisfaction},
    {"rfm_cell", Field::kRfmCell},
    {"rfm_segment", Field::kRfmSegment},
    {"tier", Field::kTier},
    {"stage", Field::kStage},
    {"abc", Field::kAbc},
    {"quadrant", Field::kQuadrant},
};

bool IsText(Field f) { return f >= Field::kRfmCell; }

std::optional<double> NumberOf(Field f, const v1::CustomerValue& v) {
  switch (f) {
    case Field::kRecencyDays:
      return static_cast<double>(v.recency_days());
    case Field::kFrequency:
      return static_cast<double>(v.frequency());
    case Field::kMonetaryMinor:
      return static_cast<double>(v.monetary_minor());
    case Field::kR:
      return v.r();
    case Field::kF:
      return v.f();
    case Field::kM:
      return v.m();
    case Field::kClv:
      return v.has_predicted_clv() ? std::optional<double>(v.predicted_clv()) : std::nullopt;
    case Field::kPAlive:
      return v.has_probability_alive() ? std::optional<double>(v.probability_alive())
                                       : std::nullopt;
    case Field::kComplaintsFiled:
      return v.complaints_filed();
    case Field::kComplaintsOpen:
      return v.complaints_open();
    case Field::kSatisfaction:
      return v.has_complaint_satisfaction() ? std::optional<double>(v.complaint_satisfaction())
                                            : std::nullopt;
    default:
      return std::nullopt;
  }
}

const std::string& TextOf(Field f, const v1::CustomerValue& v) {
  switch (f) {
    case Field::kRfmCell:
      return v.rfm_cell();
    case Field::kRfmSegment:
      return v.rfm_segment();
    case Field::kTier:
      return v.value_tier();
    case Field::kAbc:
      return v.abc_class();
    case Field::kQuadrant:
      return v.value_quadrant();
    default:
      return v.lifecycle_stage();
  }
}

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };

struct Token {
  enum Kind { kWord, kNumber, kText, kSymbol, kEnd } kind = kEnd;
  std::string text;
  size_t at = 0;  // 1-based position in the rule
};

}  // namespace

struct SegmentRule::Node {
  enum Kind { kAnd, kOr, kNot, kCompare, kIn } kind = kCompare;
  std::vector<std::shared_ptr<const Node>> children;
  Field field = Field::kR;
  Op op = Op::kEq;
  std::vector<double> numbers;
  std::vector<std::string> texts;
};

namespace {

using Node = SegmentRule::Node;
using NodePtr = std::shared_ptr<const Node>;

absl::Status Invalid(size_t at, absl::string_view what) {
  return Error(absl::StatusCode::kInvalidArgument, "INVALID_RULE",
               absl::StrCat("rule: at ", at, ": ", what), {{"position", absl::StrCat(at)}});
}

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.at = i + 1;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t.kind = Token::kWord;
      t.text = absl::AsciiStrToLower(s.substr(i, j - i));
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') {
      size_t j = i + 1;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      t.kind = Token::kNumber;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '\'' || c == '"') {
      const size_t close = s.find(c, i + 1);
      if (close == absl::string_view::npos) return Invalid(t.at, "text without its closing quote");
      t.kind = Token::kText;
      t.text = std::string(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      static constexpr absl::string_view kTwo[] = {"!=", "<=", ">="};
      t.kind = Token::kSymbol;
      t.text = std::string(1, c);
      for (absl::string_view two : kTwo) {
        if (s.substr(i, 2) == two) t.text = std::string(two);
      }
      if (t.text == "!" || absl::string_view("=<>(),!").find(c) == absl::string_view::npos) {
        return Invalid(t.at, absl::StrCat("unexpected '", t.text, "'"));
      }
      i += t.text.size();
    }
    tokens.push_back(std::move(t));
  }
  Token end;
  end.at = s.size() + 1;
  tokens.push_back(end);
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<NodePtr> Rule() {
    auto root = Or();
    if (!root.ok()) return root;
    if (Peek().kind != Token::kEnd) {
      return Invalid(Peek().at,
                     absl::StrCat("expected 'and', 'or' or the end, found ", Describe(Peek())));
    }
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  // Stays on the end token once there.
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsWord(absl::string_view word) const {
    return Peek().kind == Token::kWord && Peek().text == word;
  }
  bool IsSymbol(absl::string_view symbol) const {
    return Peek().kind == Token::kSymbol && Peek().text == symbol;
  }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Token::kEnd:
        return "the end";
      case Token::kText:
        return absl::StrCat("'", t.text, "'");
      default:
        return absl::StrCat("'", t.text, "'");
    }
  }

  absl::StatusOr<NodePtr> Chain(Node::Kind kind, absl::string_view word,
                                absl::StatusOr<NodePtr> (Parser::*operand)()) {
    auto first = (this->*operand)();
    if (!first.ok() || !IsWord(word)) return first;
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->children.push_back(*first);
    while (IsWord(word)) {
      Next();
      auto more = (this->*operand)();
      if (!more.ok()) return more;
      node->children.push_back(*more);
    }
    return node;
  }

  absl::StatusOr<NodePtr> Or() { return Chain(Node::kOr, "or", &Parser::And); }
  absl::StatusOr<NodePtr> And() { return Chain(Node::kAnd, "and", &Parser::Not); }

  absl::StatusOr<NodePtr> Not() {
    if (IsWord("not")) {
      Next();
      auto inner = Not();
      if (!inner.ok()) return inner;
      auto node = std::make_shared<Node>();
      node->kind = Node::kNot;
      node->children.push_back(*inner);
      return node;
    }
    if (IsSymbol("(")) {
      Next();
      auto inner = Or();
      if (!inner.ok()) return inner;
      if (!IsSymbol(")")) {
        return Invalid(Peek().at, absl::StrCat("expected ')', found ", Describe(Peek())));
      }
      Next();
      return inner;
    }
    return Compare();
  }

  absl::StatusOr<NodePtr> Compare() {
    const Token& name = Next();
    const FieldName* field = nullptr;
    for (const FieldName& f : kFields) {
      if (name.kind == Token::kWord && name.text == f.name) field = &f;
    }
    if (field == nullptr) {
      std::vector<std::string> names;
      for (const FieldName& f : kFields) names.push_back(f.name);
      return Invalid(name.at, absl::StrCat("expected a field (", absl::StrJoin(names, ", "),
                                           "), found ", Describe(name)));
    }
    auto node = std::make_shared<Node>();
    node->field = field->field;
    bool negated = false;
    if (IsWord("not")) {
      Next();
      negated = true;
      if (!IsWord("in")) {
        return Invalid(Peek().at,
                       absl::StrCat("expected 'in' after 'not', found ", Describe(Peek())));
      }
    }
    if (IsWord("in")) {
      Next();
      node->kind = Node::kIn;
      if (!IsSymbol("(")) {
        return Invalid(Peek().at,
                       absl::StrCat("expected '(' after 'in', found ", Describe(Peek())));
      }
      Next();
      do {
        if (absl::Status s = Literal(*node, name.text); !s.ok()) return s;
        if (!IsSymbol(",")) break;
        Next();
      } while (true);
      if (!IsSymbol(")")) {
        return Invalid(Peek().at, absl::StrCat("expected ',' or ')', found ", Describe(Peek())));
      }
      Next();
      if (!negated) return node;
      auto outer = std::make_shared<Node>();
      outer->kind = Node::kNot;
      outer->children.push_back(node);
      return outer;
    }
    static constexpr std::pair<absl::string_view, Op> kOps[] = {{"=", Op::kEq}, {"!=", Op::kNe},
                                                                {"<", Op::kLt}, {"<=", Op::kLe},
                                                                {">", Op::kGt}, {">=", Op::kGe}};
    const Token& op = Next();
    bool known = false;
    for (const auto& [symbol, value] : kOps) {
      if (op.kind == Token::kSymbol && op.text == symbol) {
        node->op = value;
        known = true;
      }
    }
    if (!known) {
      return Invalid(op.at, absl::StrCat("expected a comparison (=, !=, <, <=, >, >=) or 'in' "
                                         "after ",
                                         name.text, ", found ", Describe(op)));
    }
    if (IsText(node->field) && node->op != Op::kEq && node->op != Op::kNe) {
      return Invalid(op.at, absl::StrCat(name.text, " is text: only =, != and in apply"));
    }
    if (absl::Status s = Literal(*node, absl::StrCat(op.text)); !s.ok()) return s;
    return node;
  }

  // Reads a literal of the node's field type into it.
  absl::Status Literal(Node& node, absl::string_view after) {
    const Token& t = Next();
    if (IsText(node.field)) {
      if (t.kind != Token::kText) {
        return Invalid(
            t.at, absl::StrCat("expected quoted text after '", after, "', found ", Describe(t)));
      }
      node.texts.push_back(t.text);
      return absl::OkStatus();
    }
    char* end = nullptr;
    const double value = t.kind == Token::kNumber ? std::strtod(t.text.c_str(), &end) : 0;
    if (t.kind != Token::kNumber || end == nullptr || *end != '\0') {
      return Invalid(t.at,
                     absl::StrCat("expected a number after '", after, "', found ", Describe(t)));
    }
    node.numbers.push_back(value);
    return absl::OkStatus();
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

bool Holds(Op op, double a, double b) {
  switch (op) {
    case Op::kEq:
      return a == b;
    case Op::kNe:
      return a != b;
    case Op::kLt:
      return a < b;
    case Op::kLe:
      return a <= b;
    case Op::kGt:
      return a > b;
    case Op::kGe:
      return a >= b;
  }
  return false;
}

bool Evaluate(const Node& node, const v1::CustomerValue& v) {
  switch (node.kind) {
    case Node::kAnd:
      for (const NodePtr& c : node.children) {
        if (!Evaluate(*c, v)) return false;
      }
      return true;
    case Node::kOr:
      for (const NodePtr& c : node.children) {
        if (Evaluate(*c, v)) return true;
      }
      return false;
    case Node::kNot:
      return !Evaluate(*node.children[0], v);
    case Node::kIn:
      if (IsText(node.field)) {
        for (const std::string& t : node.texts) {
          if (TextOf(node.field, v) == t) return true;
        }
        return false;
      } else {
        const std::optional<double> have = NumberOf(node.field, v);
        for (double n : node.numbers) {
          if (have.has_value() && *have == n) return true;
        }
        return false;
      }
    case Node::kCompare:
      if (IsText(node.field)) {
        return (TextOf(node.field, v) == node.texts[0]) == (node.op == Op::kEq);
      } else {
        const std::optional<double> have = NumberOf(node.field, v);
        return have.has_value() && Holds(node.op, *have, node.numbers[0]);
      }
  }
  return false;
}

}  // namespace

absl::StatusOr<SegmentRule> SegmentRule::Parse(absl::string_view text) {
  if (text.size() > 2000) return Invalid(2001, "a rule has at most 2000 characters");
  auto tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  if (tokens->size() == 1) return Invalid(1, "the rule is empty");
  if (tokens->size() > 501) return Invalid((*tokens)[500].at, "a rule has at most 500 tokens");
  Parser parser(*std::move(tokens));
  auto root = parser.Rule();
  if (!root.ok()) return root.status();
  return SegmentRule(*std::move(root));
}

bool SegmentRule::Matches(const v1::CustomerValue& value) const { return Evaluate(*root_, value); }

}  // namespace crm::segment
