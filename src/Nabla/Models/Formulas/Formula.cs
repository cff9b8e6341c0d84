using System.Text;
using Nabla.Diagnostics;

namespace Nabla.Models.Formulas;

/// <summary>What a factor of a formula term is.</summary>
public enum FactorKind
{
    /// <summary>A column by name: numeric, or categorical when it holds text or booleans.</summary>
    Column,
    /// <summary><c>C(x)</c> or <c>C(x, Treatment(reference='b'))</c>: categorical whatever the column holds.</summary>
    Categorical,
    /// <summary><c>log(x)</c>, <c>np.log(x)</c>, <c>center(x)</c>, …: a function of one numeric column.</summary>
    Transform,
    /// <summary><c>I(x^2)</c>: arithmetic on columns in Nabla's expression language (Python's ** also reads as ^).</summary>
    Arithmetic,
}

/// <summary>One factor; two factors are the same when their names (the normalised text, as patsy writes it) are.</summary>
public sealed record FormulaFactor(string Name, FactorKind Kind, TextSpan Span)
{
    /// <summary>The column a Column, Categorical or Transform factor reads.</summary>
    public string? Column { get; init; }

    /// <summary>A Transform's function (without np.), an Arithmetic's expression.</summary>
    public string? Function { get; init; }

    /// <summary>An Arithmetic factor's expression as written inside I(…).</summary>
    public string? Code { get; init; }

    /// <summary>The reference level of <c>C(x, Treatment(reference=…))</c>, as written (unquoted).</summary>
    public string? Reference { get; init; }

    /// <summary>Equal when the names (the normalised text) are.</summary>
    public bool Equals(FormulaFactor? other) => other is not null && other.Name == Name;
    /// <summary>The hash of the name.</summary>
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}

/// <summary>A term: a product (interaction) of distinct factors, in the order they were written; the intercept has none.</summary>
public sealed class FormulaTerm(IReadOnlyList<FormulaFactor> factors) : IEquatable<FormulaTerm>
{
    /// <summary>The factors, in the order they were written.</summary>
    public IReadOnlyList<FormulaFactor> Factors { get; } = factors;

    /// <summary>Equal when the factors are the same, in any order (a:b is b:a).</summary>
    public bool Equals(FormulaTerm? other) => other is not null && other.Factors.Count == Factors.Count && Factors.All(f => other.Factors.Contains(f));
    /// <summary>Equal to another term with the same factors.</summary>
    public override bool Equals(object? obj) => Equals(obj as FormulaTerm);
    /// <summary>A hash independent of the factors' order.</summary>
    public override int GetHashCode() => Factors.Aggregate(0, (h, f) => h ^ f.GetHashCode());
    /// <summary>The term as patsy writes it: the factors joined by ':', or 1 for the intercept.</summary>
    public override string ToString() => Factors.Count == 0 ? "1" : string.Join(":", Factors.Select(f => f.Name));
}

/// <summary>
/// A model formula in the Wilkinson–Rogers notation that R, patsy and statsmodels read: <c>y ~ a + b + a:b</c>,
/// <c>a*b</c> (= a + b + a:b), <c>a/b</c> (= a + a:b), <c>(a + b)**2</c>, <c>- 1</c> / <c>+ 0</c> (no intercept),
/// <c>C(x)</c> (or R's <c>factor(x)</c>), <c>C(x, Treatment(reference='b'))</c>, <c>I(x^2)</c>, <c>log(x)</c> / <c>np.log(x)</c>, <c>Q('odd name')</c>,
/// and <c>.</c> for every other column. Errors carry the place (<see cref="NablaException"/> with a span).
/// </summary>
public sealed class Formula
{
    /// <summary>The formula as written.</summary>
    public required string Text { get; init; }

    /// <summary>The left-hand side: the response (null for "~ x").</summary>
    public FormulaFactor? Response { get; init; }

    /// <summary>The terms in the order written (duplicates removed), without the intercept.</summary>
    public required IReadOnlyList<FormulaTerm> Terms { get; init; }

    /// <summary>Whether the model has an intercept (no '- 1' or '+ 0').</summary>
    public required bool Intercept { get; init; }

    /// <summary>Where <c>.</c> stood among the terms (it expands to every column not otherwise used), or -1.</summary>
    public int DotAt { get; init; } = -1;

    /// <summary>Written by the user (statsmodels' names, "Intercept"), not made from --target/--features (which keep "(intercept)").</summary>
    public bool Written { get; init; } = true;

    /// <summary>Columns taken away from the '.' (y ~ . - age).</summary>
    public IReadOnlyList<FormulaFactor> Excluded { get; init; } = [];

    /// <summary>Transforms a formula understands: Nabla's element-wise functions and these.</summary>
    public static readonly IReadOnlySet<string> ExtraTransforms = new HashSet<string> { "log10", "log2", "square", "center", "standardize", "scale" };

    /// <summary>Parses a formula; a malformed one throws a formula error with the place.</summary>
    public static Formula Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw Error("the formula is empty; write it as y ~ x1 + x2", 0, 0);
        var p = new Parser(text);
        return p.ParseFormula();
    }

    /// <summary>The formula built from a target and feature columns (the --target / --features form).</summary>
    public static Formula FromColumns(string target, IReadOnlyList<string>? features, bool intercept)
    {
        static FormulaFactor Col(string name) => new(name, FactorKind.Column, new TextSpan(0, 0)) { Column = name };
        return new Formula
        {
            Text = $"{Quote(target)} ~ {(features is null ? "." : string.Join(" + ", features.Select(Quote)))}{(intercept ? "" : " - 1")}",
            Response = Col(target),
            Terms = features?.Select(f => new FormulaTerm([Col(f)])).ToList() ?? [],
            Intercept = intercept,
            DotAt = features is null ? 0 : -1,
            Written = false,
        };
    }

    /// <summary>A column name as a formula names it: as it is when it is an identifier, else Q('…').</summary>
    public static string Quote(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.')
            ? name : $"Q('{name.Replace("'", "\\'")}')";

    internal static NablaException Error(string message, int start, int length) =>
        new(ErrorCodes.FormulaError, message, new TextSpan(start, start + Math.Max(length, 1)));

    /// <summary>The terms and intercept of a sub-formula while it is evaluated (patsy's IntermediateExpr).</summary>
    private sealed record Value(List<FormulaTerm> Terms, bool Intercept, bool InterceptRemoved, bool Dot)
    {
        public static Value Of(FormulaFactor f) => new([new FormulaTerm([f])], false, false, false);

        /// <summary>Terms taken away from a '.' that is expanded later (y ~ . - age).</summary>
        public List<FormulaTerm> Excluded { get; init; } = [];
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public Formula ParseFormula()
        {
            int tilde = FindTopLevel('~');
            if (tilde < 0) throw Error("a formula needs '~' between the response and the terms, as in y ~ x1 + x2", 0, text.Length);
            FormulaFactor? response = null;
            if (text[..tilde].Trim().Length > 0)
            {
                _pos = 0;
                SkipSpace();
                int start = _pos;
                var v = ParseExpr(0, tilde);
                SkipSpace();
                if (_pos < tilde) throw Error($"unexpected '{text[_pos]}' on the left of '~'", _pos, 1);
                if (v.Dot || v.Terms.Count != 1 || v.Terms[0].Factors.Count != 1 || v.Intercept || v.InterceptRemoved)
                    throw Error("the left of '~' is one response: a column, or a transform of one such as log(y)", start, tilde - start);
                response = v.Terms[0].Factors[0];
            }
            _pos = tilde + 1;
            SkipSpace();
            if (_pos >= text.Length) throw Error("nothing after '~': write the terms, as in y ~ x1 + x2 (or y ~ 1 for the mean alone)", tilde, 1);
            var rhs = ParseExpr(0, text.Length);
            SkipSpace();
            if (_pos < text.Length) throw Error($"unexpected '{text[_pos]}'", _pos, 1);
            // "y ~ rhs" means "y ~ 1 + rhs", as in R and patsy
            bool intercept = rhs.Intercept || !rhs.InterceptRemoved;
            int dotAt = -1;
            var terms = new List<FormulaTerm>();
            foreach (var t in rhs.Terms)
            {
                if (t.Factors.Count == 0) continue;
                if (t.Factors.Count == 1 && t.Factors[0].Name == ".") { dotAt = terms.Count; continue; }
                if (t.Factors.Any(f => f.Name == "."))
                    throw Error("'.' (every other column) cannot be in an interaction; list the columns", t.Factors.First(f => f.Name == ".").Span.Start, 1);
                terms.Add(t);
            }
            var excluded = rhs.Excluded.Where(t => t.Factors.Count == 1).Select(t => t.Factors[0]).ToList();
            return new Formula { Text = text, Response = response, Terms = terms, Intercept = intercept, DotAt = dotAt, Excluded = excluded };
        }

        /// <summary>The index of <paramref name="c"/> outside parentheses and quotes, or -1.</summary>
        private int FindTopLevel(char c)
        {
            int depth = 0;
            char quote = '\0';
            for (int i = 0; i < text.Length; i++)
            {
                char ch = text[i];
                if (quote != '\0') { if (ch == '\\') i++; else if (ch == quote) quote = '\0'; continue; }
                if (ch is '\'' or '"' or '`') quote = ch;
                else if (ch == '(') depth++;
                else if (ch == ')') depth--;
                else if (ch == c && depth == 0) return i;
            }
            return -1;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private static int Precedence(string op) => op switch { "+" or "-" => 100, "*" or "/" => 200, ":" => 300, "**" or "^" => 500, _ => -1 };

        private string? PeekOperator(int end)
        {
            SkipSpace();
            if (_pos >= end) return null;
            if (_pos + 1 < end && text[_pos] == '*' && text[_pos + 1] == '*') return "**";
            char c = text[_pos];
            return c is '+' or '-' or '*' or '/' or ':' or '^' ? c.ToString() : null;
        }

        /// <summary>Precedence climbing over the binary operators; all are left-associative.</summary>
        private Value ParseExpr(int minPrec, int end)
        {
            var left = ParseUnary(end);
            while (true)
            {
                int at = _pos;
                var op = PeekOperator(end);
                if (op is null || Precedence(op) < minPrec) return left;
                _pos += op.Length;
                int prec = Precedence(op);
                if (op is "**" or "^")
                {
                    SkipSpace();
                    int start = _pos;
                    while (_pos < end && char.IsAsciiDigit(text[_pos])) _pos++;
                    if (_pos == start || !int.TryParse(text[start.._pos], out int k) || k < 1)
                        throw Error($"'{op}' takes a whole number of at least 1, as in (a + b){op}2", start < text.Length ? start : at, Math.Max(1, _pos - start));
                    if (k > 16) throw Error($"'{op}{k}': interactions of more than 16 terms are not supported", at, _pos - at);
                    left = Power(left, k);
                    continue;
                }
                var right = ParseExpr(prec + 1, end);
                left = op switch
                {
                    "+" => Plus(left, right),
                    "-" => Minus(left, right),
                    "*" => Plus(Plus(left, right), Interact(left, right, at)),
                    "/" => Plus(left, Interact(new Value([new FormulaTerm(left.Terms.SelectMany(t => t.Factors).Distinct().ToList())], false, false, false), right, at)),
                    _ => Interact(left, right, at),
                };
            }
        }

        private Value ParseUnary(int end)
        {
            SkipSpace();
            if (_pos >= end) throw Error("a term is missing here", Math.Min(_pos, Math.Max(text.Length - 1, 0)), 1);
            char c = text[_pos];
            if (c == '-')
            {
                _pos++;
                var v = ParseExpr(Precedence("-") + 1, end);
                return Minus(new Value([], false, false, false), v);
            }
            if (c == '+') { _pos++; return ParseExpr(Precedence("+") + 1, end); }
            return ParseAtom(end);
        }

        private Value ParseAtom(int end)
        {
            SkipSpace();
            int start = _pos;
            char c = text[_pos];
            if (c == '(')
            {
                _pos++;
                int close = MatchingParen(start);
                if (close < 0 || close >= end) throw Error("this '(' is not closed", start, 1);
                var v = ParseExpr(0, close);
                SkipSpace();
                if (_pos < close) throw Error($"unexpected '{text[_pos]}'", _pos, 1);
                _pos = close + 1;
                return v;
            }
            if (c == ')') throw Error("this ')' has no '(' before it", start, 1);
            if (char.IsAsciiDigit(c))
            {
                while (_pos < end && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.')) _pos++;
                string num = text[start.._pos];
                return num switch
                {
                    "1" => new Value([], true, false, false),
                    "0" => new Value([], false, true, false),
                    _ => throw Error($"the number {num} is not a term: only 1 (the intercept) and 0 (no intercept) are; for a constant column write I({num})", start, num.Length),
                };
            }
            if (c == '.' && (_pos + 1 >= end || !char.IsLetterOrDigit(text[_pos + 1])))
            {
                _pos++;
                return new Value([new FormulaTerm([new FormulaFactor(".", FactorKind.Column, new TextSpan(start, start + 1))])], false, false, true);
            }
            if (c == '`')
            {
                int close = text.IndexOf('`', start + 1);
                if (close < 0 || close >= end) throw Error("this '`' is not closed", start, 1);
                _pos = close + 1;
                string col = text[(start + 1)..close];
                return Value.Of(new FormulaFactor(Quote(col), FactorKind.Column, new TextSpan(start, close + 1)) { Column = col });
            }
            if (!(char.IsLetter(c) || c == '_'))
                throw Error($"unexpected '{c}': a term is a column name, a function of one (C(x), I(x^2), log(x)), 1 or 0", start, 1);
            while (_pos < end && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.')) _pos++;
            string name = text[start.._pos];
            SkipSpace();
            if (_pos < end && text[_pos] == '(') return Value.Of(ParseCall(name, start, end));
            return Value.Of(new FormulaFactor(name, FactorKind.Column, new TextSpan(start, start + name.Length)) { Column = name });
        }

        private int MatchingParen(int open)
        {
            int depth = 0;
            char quote = '\0';
            for (int i = open; i < text.Length; i++)
            {
                char ch = text[i];
                if (quote != '\0') { if (ch == '\\') i++; else if (ch == quote) quote = '\0'; continue; }
                if (ch is '\'' or '"') quote = ch;
                else if (ch == '(') depth++;
                else if (ch == ')' && --depth == 0) return i;
            }
            return -1;
        }

        private FormulaFactor ParseCall(string name, int start, int end)
        {
            int open = _pos, close = MatchingParen(open);
            if (close < 0 || close >= end) throw Error($"the '(' of {name}( is not closed", open, 1);
            _pos = close + 1;
            string inner = text[(open + 1)..close];
            var span = new TextSpan(start, close + 1);
            string normal = Normalise(text[start..(close + 1)]);
            int innerStart = open + 1 + (inner.Length - inner.TrimStart().Length);
            switch (name)
            {
                case "Q":
                    return new FormulaFactor(normal, FactorKind.Column, span) { Column = Unquote(inner.Trim(), innerStart) };
                case "I":
                    if (inner.Trim().Length == 0) throw Error("I() is empty: write arithmetic on columns, as in I(x^2)", start, span.Length);
                    return new FormulaFactor(normal, FactorKind.Arithmetic, span) { Code = inner, };
                case "C" or "factor":
                {
                    var args = SplitArgs(inner, open + 1);
                    if (args.Count is 0 or > 2 || args[0].Text.Trim().Length == 0)
                        throw Error("C() takes a column and optionally Treatment(reference=…), as in C(city) or C(city, Treatment(reference='Paris'))", start, span.Length);
                    string col = ColumnArg(args[0]);
                    string? reference = null;
                    if (args.Count == 2) reference = TreatmentReference(args[1]);
                    return new FormulaFactor(normal, FactorKind.Categorical, span) { Column = col, Reference = reference };
                }
                default:
                {
                    string fn = name.StartsWith("np.", StringComparison.Ordinal) ? name[3..] : name;
                    if (!(Ops.Functions.ByName.TryGetValue(fn, out var op) && op is Ops.ElementwiseFunction) && !ExtraTransforms.Contains(fn))
                    {
                        var known = Ops.Functions.ByName.Values.OfType<Ops.ElementwiseFunction>().Select(f => f.Name).Concat(ExtraTransforms);
                        throw Error($"unknown function '{name}' in a formula: use C(x) (categorical), I(…) (arithmetic), Q('name'), or one of {string.Join(", ", known)} (np. in front is allowed)", start, name.Length);
                    }
                    var args = SplitArgs(inner, open + 1);
                    if (args.Count != 1) throw Error($"{name}() takes one column; for arithmetic write it inside I(…), as in I({fn}(x + 1))", start, span.Length);
                    return new FormulaFactor(normal, FactorKind.Transform, span) { Column = ColumnArg(args[0]), Function = fn };
                }
            }
        }

        private string ColumnArg((string Text, int Start) arg)
        {
            string a = arg.Text.Trim();
            int at = arg.Start + (arg.Text.Length - arg.Text.TrimStart().Length);
            if (a.StartsWith("Q(", StringComparison.Ordinal) && a.EndsWith(')')) return Unquote(a[2..^1].Trim(), at + 2);
            if (a.Length > 1 && a[0] == '`' && a[^1] == '`') return a[1..^1];
            if (a.Length > 0 && (char.IsLetter(a[0]) || a[0] == '_') && a.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '.')) return a;
            throw Error($"'{a}' is not a column name; for arithmetic write it inside I(…)", at, a.Length);
        }

        private string Unquote(string s, int at)
        {
            if (s.Length >= 2 && (s[0] is '\'' or '"') && s[^1] == s[0]) return s[1..^1].Replace("\\'", "'").Replace("\\\"", "\"");
            throw Error("Q() takes a quoted column name, as in Q('price (EUR)')", at, Math.Max(s.Length, 1));
        }

        private string TreatmentReference((string Text, int Start) arg)
        {
            string a = arg.Text.Trim();
            int at = arg.Start + (arg.Text.Length - arg.Text.TrimStart().Length);
            if (!a.StartsWith("Treatment", StringComparison.Ordinal) || !a.EndsWith(')') || a.IndexOf('(') < 0)
                throw Error($"'{a}': the only coding is Treatment, as in Treatment(reference='Paris') (the reference level is left out)", at, a.Length);
            string inside = a[(a.IndexOf('(') + 1)..^1].Trim();
            if (inside.StartsWith("reference", StringComparison.Ordinal))
            {
                int eq = inside.IndexOf('=');
                if (eq < 0) throw Error("write Treatment(reference='level')", at, a.Length);
                inside = inside[(eq + 1)..].Trim();
            }
            if (inside.Length == 0) throw Error("Treatment() needs the reference level, as in Treatment(reference='Paris')", at, a.Length);
            if (inside.Length >= 2 && (inside[0] is '\'' or '"') && inside[^1] == inside[0]) return inside[1..^1];
            return inside; // a number or a bare word
        }

        /// <summary>Splits call arguments at top-level commas.</summary>
        private static List<(string Text, int Start)> SplitArgs(string inner, int offset)
        {
            var parts = new List<(string, int)>();
            int depth = 0, from = 0;
            char quote = '\0';
            for (int i = 0; i < inner.Length; i++)
            {
                char ch = inner[i];
                if (quote != '\0') { if (ch == '\\') i++; else if (ch == quote) quote = '\0'; continue; }
                if (ch is '\'' or '"') quote = ch;
                else if (ch == '(') depth++;
                else if (ch == ')') depth--;
                else if (ch == ',' && depth == 0) { parts.Add((inner[from..i], offset + from)); from = i + 1; }
            }
            if (inner.Trim().Length > 0 || parts.Count > 0) parts.Add((inner[from..], offset + from));
            return parts;
        }
    }

    private static Value Plus(Value a, Value b)
    {
        var terms = new List<FormulaTerm>(a.Terms);
        foreach (var t in b.Terms) if (!terms.Contains(t)) terms.Add(t);
        bool intercept = b.Intercept || (a.Intercept && !b.InterceptRemoved);
        bool removed = !b.Intercept && (b.InterceptRemoved || a.InterceptRemoved);
        return new Value(terms, intercept, removed, a.Dot || b.Dot) { Excluded = [.. a.Excluded, .. b.Excluded] };
    }

    private static Value Minus(Value a, Value b)
    {
        var terms = a.Terms.Where(t => !b.Terms.Contains(t)).ToList();
        // "- 1" removes the intercept; "- 0" puts it back, as in patsy
        bool intercept = b.InterceptRemoved || (a.Intercept && !b.Intercept);
        bool removed = b.Intercept || (a.InterceptRemoved && !b.InterceptRemoved);
        var excluded = new List<FormulaTerm>(a.Excluded);
        excluded.AddRange(b.Terms.Where(t => !a.Terms.Contains(t)));
        return new Value(terms, intercept, removed, a.Dot) { Excluded = excluded };
    }

    /// <summary>a:b — every term of a with every term of b; the intercept acts as the empty term (1:a = a).</summary>
    private static Value Interact(Value a, Value b, int at)
    {
        var left = new List<FormulaTerm>(a.Terms);
        if (a.Intercept) left.Insert(0, new FormulaTerm([]));
        var right = new List<FormulaTerm>(b.Terms);
        if (b.Intercept) right.Insert(0, new FormulaTerm([]));
        var terms = new List<FormulaTerm>();
        bool intercept = false;
        foreach (var s in left)
            foreach (var t in right)
            {
                var factors = new List<FormulaFactor>(s.Factors);
                foreach (var f in t.Factors) if (!factors.Contains(f)) factors.Add(f);
                if (factors.Count == 0) { intercept = true; continue; }
                var term = new FormulaTerm(factors);
                if (!terms.Contains(term)) terms.Add(term);
            }
        return new Value(terms, intercept, false, a.Dot || b.Dot);
    }

    private static Value Power(Value a, int k)
    {
        var result = a;
        for (int i = 1; i < k; i++) result = Plus(result, Interact(result, a, 0));
        return result;
    }

    /// <summary>Python code spaced as patsy writes a factor's name: I(x ** 2), C(city, Treatment(reference='Paris')).</summary>
    internal static string Normalise(string code)
    {
        string[] both = ["**", "//", "==", "!=", "<=", ">=", "<<", ">>", "+", "-", "*", "/", "%", "&", "^", "|", "<", ">"];
        var sb = new StringBuilder();
        bool prevWantsSpace = false, prevSpaceDelim = false, prevOpenOrComma = false, prevObjectLike = false;
        int depth = 0;
        int i = 0;
        while (i < code.Length)
        {
            char c = code[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            string token;
            bool word;
            if (char.IsLetterOrDigit(c) || c is '_' || (c == '.' && i + 1 < code.Length && char.IsAsciiDigit(code[i + 1])))
            {
                int s = i;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] is '_' or '.')) i++;
                token = code[s..i];
                word = true;
            }
            else if (c is '\'' or '"')
            {
                int s = i++;
                while (i < code.Length && code[i] != c) { if (code[i] == '\\') i++; i++; }
                i = Math.Min(i + 1, code.Length);
                token = code[s..i];
                word = true;
            }
            else
            {
                token = both.FirstOrDefault(o => string.CompareOrdinal(code, i, o, 0, o.Length) == 0) ?? c.ToString();
                i += token.Length;
                word = false;
            }
            if (word)
            {
                if (prevWantsSpace || prevSpaceDelim) sb.Append(' ');
                sb.Append(token);
                prevWantsSpace = false;
                prevSpaceDelim = true;
            }
            else
            {
                if (token is "(" or "[" or "{") depth++;
                else if (token is ")" or "]" or "}" && depth > 0) depth--;
                bool spaceBefore = both.Contains(token) || token is "!" or "~";
                bool spaceAfter = both.Contains(token) || token is "," or ":";
                if (token is "*" or "**" && prevOpenOrComma) spaceBefore = spaceAfter = false;
                if (token == "=" && depth == 0) spaceBefore = spaceAfter = true;
                if (token is "+" or "-" && !prevObjectLike) spaceBefore = spaceAfter = false;
                if (prevWantsSpace || spaceBefore) sb.Append(' ');
                sb.Append(token);
                prevWantsSpace = spaceAfter;
                prevSpaceDelim = false;
            }
            prevObjectLike = word || token == ")";
            prevOpenOrComma = token is "(" or ",";
        }
        return sb.ToString();
    }
}
