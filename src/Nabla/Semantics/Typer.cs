using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Syntax;
using Nabla.LinearAlgebra;

namespace Nabla.Semantics;

/// <summary>
/// Pass 1 of binding: infers the shape of every syntax node for one assignment of kinds to the
/// variables, unifying dimensions. Throws a <c>shape_error</c> with a span on the first mismatch.
/// </summary>
internal sealed class Typer
{
    private readonly string _source;
    private readonly IReadOnlyDictionary<string, VarKind> _kinds;
    private readonly IReadOnlyDictionary<string, VarType> _declared;
    private readonly IReadOnlyDictionary<string, Shape> _concrete;
    private readonly List<DimVar> _dims = [];
    private readonly Dictionary<string, DimVar> _symbols = [];

    public Typer(string source, IReadOnlyDictionary<string, VarKind> kinds, IReadOnlyDictionary<string, VarType> declared,
        IReadOnlyDictionary<string, Shape> concrete)
    {
        _source = source;
        _kinds = kinds;
        _declared = declared;
        _concrete = concrete;
    }

    public Dictionary<SyntaxNode, BShape> NodeShapes { get; } = new(ReferenceEqualityComparer.Instance);

    public Dictionary<string, BShape> VarShapes { get; } = [];

    public IReadOnlyList<DimVar> Dims => _dims;

    public BShape Run(SyntaxNode root, Shape? expected = null)
    {
        // A declared dimension name takes its size from any declared variable with a value, used in the text or
        // not: x: vector(n) with x = [1, 2, 3] makes n = 3 for eye(n) and vector(0, n) (a result whose x cancelled).
        foreach (var (name, decl) in _declared)
        {
            if (!_concrete.TryGetValue(name, out var c)) continue;
            if (decl.Rows is { } r && c.Rows is { } cr && !int.TryParse(r, out _)) DimVar.Unify(DeclaredDim(r), Fresh(size: cr.Size));
            if (decl.Cols is { } k && c.Cols is { } cc && !int.TryParse(k, out _)) DimVar.Unify(DeclaredDim(k), Fresh(size: cc.Size));
        }
        var shape = Visit(root);
        if (expected is { } e)
        {
            DimVar? Dim(Dim? d) => d is { } x ? DeclaredDim(x.IsKnown ? x.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : x.Name) : null;
            var want = new BShape(Dim(e.Rows), Dim(e.Cols));
            if (!UnifyShapes(shape, want))
                throw new NablaException(ErrorCodes.ShapeError,
                    $"the expression is {Describe(shape)}, but {e.Describe()} is expected", root.Span);
        }
        return shape;
    }

    private DimVar Fresh(string? symbol = null, int size = -1)
    {
        var d = new DimVar(_dims.Count, symbol, size);
        _dims.Add(d);
        return d;
    }

    private DimVar DeclaredDim(string? text)
    {
        if (text is null) return Fresh();
        if (int.TryParse(text, out int size)) return Fresh(size: size);
        if (!_symbols.TryGetValue(text, out var d)) _symbols[text] = d = Fresh(symbol: text);
        return d;
    }

    private BShape VarShape(string name, TextSpan span)
    {
        if (VarShapes.TryGetValue(name, out var s)) return s;
        var kind = _kinds[name];
        _declared.TryGetValue(name, out var decl);
        s = kind switch
        {
            VarKind.Scalar => BShape.Scalar,
            VarKind.Vector => new BShape(DeclaredDim(decl?.Rows), null),
            VarKind.Matrix => new BShape(DeclaredDim(decl?.Rows), DeclaredDim(decl?.Cols)),
            _ => Square(DeclaredDim(decl?.Rows)),
        };
        if (_concrete.TryGetValue(name, out var c))
        {
            bool ok = (s.R is null) == (c.Rows is null) && (s.C is null) == (c.Cols is null);
            ok = ok && (s.R is null || DimVar.Unify(s.R, Fresh(size: c.Rows!.Value.Size)));
            ok = ok && (s.C is null || DimVar.Unify(s.C, Fresh(size: c.Cols!.Value.Size)));
            if (!ok)
                throw new NablaException(ErrorCodes.ShapeError,
                    $"the value given for {name} is {c.Describe()}, but {name} is {Describe(s)}", span);
        }
        VarShapes[name] = s;
        return s;

        static BShape Square(DimVar d) => new(d, d);
    }

    private BShape Visit(SyntaxNode node)
    {
        var s = node switch
        {
            NumberSyntax => BShape.Scalar,
            NameSyntax n when n.Name == "eye" => new BShape(Fresh(), null) is var e ? new BShape(e.R, e.R) : default,
            NameSyntax n => VarShape(n.Name, n.Span),
            ParenSyntax p => Visit(p.Inner),
            UnarySyntax u => Visit(u.Operand),
            TransposeSyntax t => Visit(t.Operand).Transposed,
            SumSyntax sum => VisitSum(sum),
            ProductSyntax prod => VisitProduct(prod),
            PowerSyntax pow => VisitPower(pow),
            InnerSyntax inner => VisitInner(inner),
            CallSyntax call => VisitCall(call),
            _ => throw new InvalidOperationException(node.GetType().Name),
        };
        NodeShapes[node] = s;
        return s;
    }

    private bool UnifyShapes(BShape a, BShape b)
    {
        if ((a.R is null) != (b.R is null) || (a.C is null) != (b.C is null)) return false;
        return (a.R is null || DimVar.Unify(a.R, b.R!)) && (a.C is null || DimVar.Unify(a.C, b.C!));
    }

    private BShape VisitSum(SumSyntax sum)
    {
        var acc = Visit(sum.Terms[0]);
        for (int i = 1; i < sum.Terms.Count; i++)
        {
            var t = Visit(sum.Terms[i]);
            if (t.IsScalar) continue;
            if (acc.IsScalar) { acc = t; continue; }
            if (!UnifyShapes(acc, t))
            {
                string verb = sum.Ops[i - 1] == TokenKind.Plus ? "add" : "subtract";
                string prep = sum.Ops[i - 1] == TokenKind.Plus ? "and" : "from";
                var left = new TextSpan(sum.Terms[0].Span.Start, sum.Terms[i - 1].Span.End);
                string msg = sum.Ops[i - 1] == TokenKind.Plus
                    ? $"cannot {verb} {Text(left)} ({Describe(acc)}) {prep} {Text(sum.Terms[i].Span)} ({Describe(t)})"
                    : $"cannot {verb} {Text(sum.Terms[i].Span)} ({Describe(t)}) {prep} {Text(left)} ({Describe(acc)})";
                throw new NablaException(ErrorCodes.ShapeError, msg + ": the shapes differ" + SumHint(acc, t), TextSpan.Cover(left, sum.Terms[i].Span));
            }
        }
        return acc;
    }

    private static string SumHint(BShape a, BShape b) => (a.Kind, b.Kind) switch
    {
        (ShapeKind.Vector, ShapeKind.Row) or (ShapeKind.Row, ShapeKind.Vector) => "; one of them is a row vector: transpose it",
        _ => "",
    };

    private BShape VisitProduct(ProductSyntax prod)
    {
        var acc = Visit(prod.Factors[0]);
        for (int i = 1; i < prod.Factors.Count; i++)
        {
            var f = Visit(prod.Factors[i]);
            var op = prod.Ops[i - 1];
            var left = new TextSpan(prod.Factors[0].Span.Start, prod.Factors[i - 1].Span.End);
            var right = prod.Factors[i].Span;
            var whole = TextSpan.Cover(left, right);
            switch (op)
            {
                case TokenKind.Star:
                    acc = Multiply(acc, f, left, right, whole);
                    break;
                case TokenKind.Slash:
                    if (!f.IsScalar)
                    {
                        string hint = f.Kind == ShapeKind.Matrix
                            ? $"; for a matrix write {Text(left)}*inv({Text(right)})"
                            : $"; for entry-by-entry division write {Text(left)}./{Text(right)}";
                        throw new NablaException(ErrorCodes.ShapeError,
                            $"cannot divide by {Text(right)} ({Describe(f)}): '/' divides by a scalar only{hint}", whole);
                    }
                    break;
                default:
                    if (f.IsScalar) break;
                    if (acc.IsScalar) { acc = f; break; }
                    if (!UnifyShapes(acc, f))
                    {
                        string name = op == TokenKind.DotStar ? "multiply" : "divide";
                        throw new NablaException(ErrorCodes.ShapeError,
                            $"cannot {name} {Text(left)} ({Describe(acc)}) and {Text(right)} ({Describe(f)}) entry by entry: the shapes differ", whole);
                    }
                    break;
            }
        }
        return acc;
    }

    private BShape Multiply(BShape a, BShape b, TextSpan left, TextSpan right, TextSpan whole)
    {
        if (a.IsScalar) return b;
        if (b.IsScalar) return a;
        bool ok = (a.C is null) == (b.R is null) && (a.C is null || DimVar.Unify(a.C, b.R!));
        if (ok) return new BShape(a.R, b.C);
        string l = Text(left), r = Text(right);
        string hint = (a.Kind, b.Kind) switch
        {
            (ShapeKind.Vector, ShapeKind.Vector) => $"; did you mean {l}'*{r} or {l}.*{r}?",
            (ShapeKind.Vector, ShapeKind.Matrix) => $"; did you mean {l}'*{r}?",
            (ShapeKind.Matrix, ShapeKind.Row) => $"; did you mean {l}*{TrimTranspose(r)}?",
            (ShapeKind.Row, ShapeKind.Row) => $"; did you mean {l}*{TrimTranspose(r)}?",
            _ when (a.C is null) == (b.R is null) => $": the inner dimensions {Name(a.C!)} and {Name(b.R!)} differ",
            _ => "",
        };
        throw new NablaException(ErrorCodes.ShapeError, $"cannot multiply {l} ({Describe(a)}) by {r} ({Describe(b)}){hint}", whole);
    }

    private static string TrimTranspose(string s) => s.EndsWith('\'') ? s[..^1] : s + "'";

    private BShape VisitPower(PowerSyntax pow)
    {
        var b = Visit(pow.Base);
        var e = Visit(pow.Exponent);
        if (!e.IsScalar)
            throw new NablaException(ErrorCodes.ShapeError,
                $"the exponent {Text(pow.Exponent.Span)} is {Describe(e)}; exponents are scalars", pow.Exponent.Span);
        if (pow.Op == TokenKind.DotCaret || b.IsScalar) return b;
        if (b.Kind != ShapeKind.Matrix)
            throw new NablaException(ErrorCodes.ShapeError,
                $"cannot raise {Text(pow.Base.Span)} ({Describe(b)}) to a power with '^'; for entry-by-entry powers write {Text(pow.Base.Span)}.^{Text(pow.Exponent.Span)}", pow.Span);
        if (IntegerLiteral(pow.Exponent) is null && WholeLiteral(pow.Exponent))
            throw new NablaException(ErrorCodes.Unsupported,
                $"the matrix power {Text(pow.Span)} is too large: whole-number exponents of matrices go up to 1000", pow.Exponent.Span);
        if (IntegerLiteral(pow.Exponent) is null)
            throw new NablaException(ErrorCodes.ShapeError,
                $"a matrix power needs a whole-number exponent such as A^2 or A^-1, not {Text(pow.Exponent.Span)}; for entry-by-entry powers write {Text(pow.Base.Span)}.^{Text(pow.Exponent.Span)}", pow.Exponent.Span);
        if (!DimVar.Unify(b.R!, b.C!))
            throw new NablaException(ErrorCodes.ShapeError, $"cannot raise {Text(pow.Base.Span)} ({Describe(b)}) to a power: it is not square", pow.Span);
        return b;
    }

    /// <summary>The value of an integer literal exponent (with optional sign), or null.</summary>
    public static int? IntegerLiteral(SyntaxNode node) => node switch
    {
        NumberSyntax n when n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) <= 1000 => (int)n.Value,
        UnarySyntax { Op: TokenKind.Minus } u when IntegerLiteral(u.Operand) is int k => -k,
        UnarySyntax { Op: TokenKind.Plus } u => IntegerLiteral(u.Operand),
        ParenSyntax p => IntegerLiteral(p.Inner),
        _ => null,
    };

    private static bool WholeLiteral(SyntaxNode node) => node switch
    {
        NumberSyntax n => n.Value == Math.Floor(n.Value),
        UnarySyntax u => WholeLiteral(u.Operand),
        ParenSyntax p => WholeLiteral(p.Inner),
        _ => false,
    };

    private BShape VisitInner(InnerSyntax inner)
    {
        var a = Visit(inner.Left);
        var b = Visit(inner.Right);
        if (!UnifyShapes(a, b))
            throw new NablaException(ErrorCodes.ShapeError,
                $"the inner product <{Text(inner.Left.Span)}, {Text(inner.Right.Span)}> needs two operands of one shape, not {Describe(a)} and {Describe(b)}", inner.Span);
        return BShape.Scalar;
    }

    /// <summary>How many leading arguments of a call are expressions; the rest of eye(n), vector(c, n), matrix(c, m, n) are sizes.</summary>
    public static int ValueArgs(CallSyntax call) => call.Name switch
    {
        "eye" => 0,
        "vector" or "matrix" => Math.Min(1, call.Args.Count),
        _ => call.Args.Count,
    };

    /// <summary>A size argument: a whole number (1 or more) or a dimension name such as n.</summary>
    private DimVar SizeArg(SyntaxNode node) => node switch
    {
        NumberSyntax { Value: var v } when v >= 1 && v <= int.MaxValue && v == Math.Floor(v) => Fresh(size: (int)v),
        NameSyntax { Name: var name } when _kinds.ContainsKey(name) => throw new NablaException(ErrorCodes.ParseError,
            $"{name} is a variable of this expression; a size is a whole number or a dimension name such as n", node.Span),
        NameSyntax { Name: var name } => DeclaredDim(name),
        _ => throw new NablaException(ErrorCodes.ParseError,
            $"a size is a whole number or a dimension name such as n, not {Text(node.Span)}", node.Span),
    };

    private BShape VisitCall(CallSyntax call)
    {
        var args = call.Args.Take(ValueArgs(call)).Select(Visit).ToArray();
        switch (call.Name)
        {
            case "dot":
                ArgCount(call, 2);
                if (args[0].Kind != ShapeKind.Vector || !UnifyShapes(args[0], args[1]))
                    throw new NablaException(ErrorCodes.ShapeError,
                        $"dot needs two vectors of one size, not {Describe(args[0])} and {Describe(args[1])}", call.Span);
                return BShape.Scalar;
            case "vector":
                if (call.Args.Count is not (1 or 2))
                    throw new NablaException(ErrorCodes.ParseError, "vector takes a value and optionally a size: vector(c) or vector(c, n)", call.Span);
                ScalarArg(call, args[0]);
                return new BShape(call.Args.Count == 2 ? SizeArg(call.Args[1]) : Fresh(), null);
            case "matrix":
                if (call.Args.Count is not (1 or 3))
                    throw new NablaException(ErrorCodes.ParseError, "matrix takes a value and optionally two sizes: matrix(c) or matrix(c, m, n)", call.Span);
                ScalarArg(call, args[0]);
                return call.Args.Count == 3 ? new BShape(SizeArg(call.Args[1]), SizeArg(call.Args[2])) : new BShape(Fresh(), Fresh());
            case "eye":
                if (call.Args.Count != 1)
                    throw new NablaException(ErrorCodes.ParseError, "eye takes its size or nothing: eye, or eye(n) for the n×n identity", call.Span);
                var n = SizeArg(call.Args[0]);
                return new BShape(n, n);
        }
        var op = Functions.ByName[call.Name];
        ArgCount(call, op.Arity);
        var a = args[0];
        string what = $"{call.Name} needs";
        switch (op.Signature)
        {
            case Signature.SquarePair:
            {
                var e = args[1];
                for (int i = 0; i < 2; i++)
                    if (args[i].Kind != ShapeKind.Matrix || !DimVar.Unify(args[i].R!, args[i].C!))
                        throw new NablaException(ErrorCodes.ShapeError, $"{what} two square matrices of one size, but {Text(call.Args[i].Span)} is {Describe(args[i])}", call.Span);
                if (!DimVar.Unify(a.R!, e.R!))
                    throw new NablaException(ErrorCodes.ShapeError, $"{what} two square matrices of one size, not {Describe(a)} and {Describe(e)}", call.Span);
                return a;
            }
            case Signature.Elementwise:
                return a;
            case Signature.AnyToScalar:
                return BShape.Scalar;
            case Signature.SquareToScalar or Signature.SquareToSquare:
                if (a.Kind != ShapeKind.Matrix)
                    throw new NablaException(ErrorCodes.ShapeError, $"{what} a square matrix, but {Text(call.Args[0].Span)} is {Describe(a)}", call.Span);
                if (!DimVar.Unify(a.R!, a.C!))
                    throw new NablaException(ErrorCodes.ShapeError, $"{what} a square matrix, but {Text(call.Args[0].Span)} is {Describe(a)}", call.Span);
                return op.Signature == Signature.SquareToScalar ? BShape.Scalar : a;
            case Signature.Diag:
                if (a.Kind == ShapeKind.Vector) return new BShape(a.R, a.R);
                if (a.Kind == ShapeKind.Matrix && DimVar.Unify(a.R!, a.C!)) return new BShape(a.R, null);
                throw new NablaException(ErrorCodes.ShapeError, $"diag needs a vector or a square matrix, but {Text(call.Args[0].Span)} is {Describe(a)}", call.Span);
            case Signature.VectorToVector or Signature.VectorToScalar:
                if (a.Kind != ShapeKind.Vector)
                    throw new NablaException(ErrorCodes.ShapeError, $"{what} a vector, but {Text(call.Args[0].Span)} is {Describe(a)}", call.Span);
                return op.Signature == Signature.VectorToVector ? a : BShape.Scalar;
            default:
                throw new InvalidOperationException(op.Signature.ToString());
        }
    }

    private static void ArgCount(CallSyntax call, int n)
    {
        if (call.Args.Count != n)
            throw new NablaException(ErrorCodes.ShapeError,
                $"{call.Name} takes {(n == 1 ? "one argument" : $"{n} arguments")}, not {call.Args.Count}", call.Span);
    }

    private void ScalarArg(CallSyntax call, BShape a)
    {
        if (!a.IsScalar)
            throw new NablaException(ErrorCodes.ShapeError,
                $"{call.Name}(c) needs a scalar c (every entry equals it), but {Text(call.Args[0].Span)} is {Describe(a)}", call.Span);
    }

    private string Text(TextSpan span)
    {
        var t = _source[span.Start..span.End];
        return t.Length <= 40 ? t : t[..18] + "..." + t[^18..];
    }

    private DimNamer Namer() => new(_dims);

    private string Name(DimVar d) => Namer().Name(d).ToString();

    public string Describe(BShape s) => Namer().Resolve(s).Describe();
}
