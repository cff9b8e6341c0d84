using System.Globalization;
using System.Text;
using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Printing;

namespace Nabla.Codegen;

/// <summary>One derivative to generate: the variable, the kind, the matrix-form result.</summary>
public sealed record CodeDerivative(Var Wrt, DerivativeKind Kind, Expr Result);

/// <summary>
/// What a generated module computes: the objective (as the user wrote it), its variables in order, the derivatives
/// asked for, in order; <see cref="Positive"/>, <see cref="Spd"/> name the variables whose random values must be
/// positive or symmetric positive definite (the domains of the functions applied to them).
/// </summary>
public sealed record CodeRequest(string Source, Expr Objective, IReadOnlyList<Var> Variables, IReadOnlyList<CodeDerivative> Derivatives,
    IReadOnlySet<string> Positive, IReadOnlySet<string> Spd, string FunctionName = "f");

/// <summary>
/// The shared printer base of the code targets: names (a user's name that the target reserves gets a trailing '_'),
/// the straight-line program from <see cref="Factored"/>, operator precedence, the order of matrix chains by flop
/// count, and the shapes of the values. A target is one file: its module text and its forms for each node and op.
/// </summary>
public abstract class CodeTarget
{
    /// <summary>Precedence levels of generated code, loosest first: sums, products, unary minus, powers, primaries.</summary>
    protected const int Sum = 1, Product = 2, Unary = 3, Pow = 4, Primary = 6;

    /// <summary>numpy, torch, matlab, csharp.</summary>
    public abstract string Name { get; }

    /// <summary>The file extension of a module: .py, .m, .cs.</summary>
    public abstract string Extension { get; }

    /// <summary>Words a user's variable cannot be called in this target (keywords, the module names, the helpers).</summary>
    protected abstract IReadOnlySet<string> Reserved { get; }

    /// <summary>The module: the function, its gradient check, a main that draws a random point and runs the check.</summary>
    public abstract string Emit(CodeRequest request);

    private static readonly (string Name, Func<CodeTarget> Create)[] Targets =
        [("numpy", () => new NumPyTarget()), ("torch", () => new TorchTarget()), ("matlab", () => new MatlabTarget()), ("csharp", () => new CSharpTarget())];

    /// <summary>The targets' names: numpy, torch, matlab, csharp.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Targets.Select(t => t.Name)];

    /// <summary>A new printer for the target (a printer holds one module's names, so each emit takes its own).</summary>
    public static CodeTarget ByName(string name) =>
        Targets.FirstOrDefault(t => t.Name == name).Create?.Invoke()
        ?? throw new NablaException(ErrorCodes.BadRequest, $"unknown code target '{name}': use {string.Join(", ", Names)}");

    // ----- names -----

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>Starts a module: the user's variables keep their names unless the target reserves them.</summary>
    protected void BeginNames(CodeRequest r)
    {
        _names.Clear();
        _taken.Clear();
        _taken.UnionWith(Reserved);
        foreach (var v in r.Variables) _names[v.Name] = Fresh(v.Name);
    }

    /// <summary>A name not yet taken: <paramref name="wanted"/>, else with '_' appended until it is free.</summary>
    protected string Fresh(string wanted)
    {
        string n = wanted;
        while (_taken.Contains(n)) n += "_";
        _taken.Add(n);
        return n;
    }

    /// <summary>The code name of a variable or binding.</summary>
    protected string NameOf(string name) => _names.TryGetValue(name, out var n) ? n : _names[name] = Fresh(name);

    /// <summary>The code name of a size: the local that holds it, or its value when known.</summary>
    protected string DimName(Dim d) => d.IsKnown ? d.Size.ToString(CultureInfo.InvariantCulture) : NameOf("\u0001" + d.Name);

    /// <summary>Binds a size's local name to its display name the first time (n, m, n_x).</summary>
    protected bool DeclareDim(Dim d, out string local)
    {
        local = "";
        if (d.IsKnown) return false;
        string key = "\u0001" + d.Name;
        if (_names.TryGetValue(key, out var l)) { local = l; return false; }
        _names[key] = local = Fresh(d.Name.Replace("'", "", StringComparison.Ordinal));
        return true;
    }

    // ----- the straight-line program -----

    /// <summary>The objective and the derivatives, their common subexpressions named once.</summary>
    protected Factored Program(CodeRequest r)
    {
        var reserved = new HashSet<string>(_taken, StringComparer.Ordinal);
        foreach (var v in r.Variables) reserved.Add(v.Name);
        var f = Factored.Of([r.Objective, .. r.Derivatives.Select(d => d.Result)], reserved);
        foreach (var b in f.Bindings) _names[b.Name.Name] = Fresh(b.Name.Name);
        return f;
    }

    /// <summary>
    /// The program's statements, bindings then outputs, as (name, right-hand side); a matrix product that more than one
    /// of them computes (A@x in both x'*A*x and its gradient A@x + A.T@x) is computed once, into a local of its own
    /// (p0, p1, …) just before the first statement that needs it.
    /// </summary>
    protected List<(string Name, string Code)> Statements(Factored program, IReadOnlyList<string> outputs)
    {
        var targets = program.Bindings.Select(b => (NameOf(b.Name.Name), b.Value))
            .Concat(outputs.Select((o, i) => (o, program.Roots[i]))).ToList();
        _productCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, e) in targets) Code(e);
        var repeated = _productCounts.Where(kv => kv.Value > 1).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        _productCounts = null;
        var result = new List<(string, string)>();
        if (repeated.Count == 0)
        {
            foreach (var (name, e) in targets) result.Add((name, Code(e)));
            return result;
        }
        _hoisted = new Dictionary<string, string>(StringComparer.Ordinal);
        _pending = [];
        _repeated = repeated;
        foreach (var (name, e) in targets)
        {
            string code = Code(e);
            result.AddRange(_pending);
            _pending.Clear();
            result.Add((name, code));
        }
        _hoisted = null;
        _pending = null;
        _repeated = null;
        return result;
    }

    private Dictionary<string, int>? _productCounts;
    private Dictionary<string, string>? _hoisted;
    private HashSet<string>? _repeated;
    private List<(string, string)>? _pending;

    /// <summary>A product's code, counted on the first pass of <see cref="Statements"/> and read from its local on the second.</summary>
    private (string Code, int Level) Shared((string Code, int Level) product)
    {
        if (!product.Code.Contains('@') && !product.Code.Contains("solve(", StringComparison.Ordinal) && !product.Code.Contains(" * ", StringComparison.Ordinal)
            && !product.Code.Contains('\\'))
            return product;
        if (_productCounts is not null)
        {
            _productCounts[product.Code] = _productCounts.GetValueOrDefault(product.Code) + 1;
            return product;
        }
        if (_repeated is null || !_repeated.Contains(product.Code)) return product;
        if (!_hoisted!.TryGetValue(product.Code, out var local))
        {
            local = _hoisted[product.Code] = Fresh("p" + _hoisted.Count);
            _pending!.Add((local, product.Code));
        }
        return (local, Primary);
    }

    /// <summary>The output names: value, grad_w, jac_x, hess_w.</summary>
    protected IReadOnlyList<string> OutputNames(CodeRequest r) =>
        [Fresh("value"), .. r.Derivatives.Select(d => Fresh(d.Kind switch
        {
            DerivativeKind.Gradient => "grad_",
            DerivativeKind.Jacobian => "jac_",
            _ => "hess_",
        } + d.Wrt.Name))];

    /// <summary>Every size the module needs, from the variables in order: (variable, axis, dim).</summary>
    protected static IEnumerable<(Var Var, int Axis, Dim Dim)> Axes(CodeRequest r)
    {
        foreach (var v in r.Variables)
        {
            if (v.Shape.Rows is { } rd) yield return (v, 0, rd);
            if (v.Shape.Cols is { } cd) yield return (v, v.Shape.Rows is null ? 0 : 1, cd);
        }
    }

    /// <summary>How a main draws a variable's random value: in the domain of the functions applied to it.</summary>
    protected enum Draw
    {
        /// <summary>A well-conditioned symmetric positive definite matrix.</summary>
        Spd,
        /// <summary>A symmetric matrix.</summary>
        Symmetric,
        /// <summary>Positive entries.</summary>
        Positive,
        /// <summary>Uniform entries of either sign.</summary>
        Uniform,
    }

    /// <summary>How a main draws <paramref name="v"/>: SPD or positive where the request's domains ask, symmetric for a symmetric variable, else uniform.</summary>
    protected static Draw DrawOf(CodeRequest r, Var v) =>
        r.Spd.Contains(v.Name) && v.Shape.IsSquare ? Draw.Spd : v.Symmetric ? Draw.Symmetric
        : r.Positive.Contains(v.Name) ? Draw.Positive : Draw.Uniform;

    /// <summary>A local name for each unknown size a main draws (prefix0, prefix1, …), in the order the variables first use them.</summary>
    protected static Dictionary<Dim, string> RandomSizes(CodeRequest r, string prefix)
    {
        var sizes = new Dictionary<Dim, string>();
        foreach (var (_, _, dim) in Axes(r))
            if (!dim.IsKnown && !sizes.ContainsKey(dim)) sizes[dim] = prefix + sizes.Count;
        return sizes;
    }

    /// <summary>The shape as the user reads it: scalar, vector (n), matrix (m, n).</summary>
    protected static string Describe(Shape s) => s.Kind switch
    {
        ShapeKind.Scalar => "scalar",
        ShapeKind.Vector => $"vector ({s.Rows!.Value.Name})",
        ShapeKind.Row => $"row vector ({s.Cols!.Value.Name})",
        _ => $"matrix ({s.Rows!.Value.Name}, {s.Cols!.Value.Name})",
    };

    /// <summary>Refuses a size the variables do not fix (a result whose constant's size no variable has).</summary>
    protected void CheckDims(CodeRequest r, Factored program)
    {
        var known = Axes(r).Select(a => a.Dim).ToHashSet();
        foreach (var e in program.Roots.Concat(program.Bindings.Select(b => b.Value)))
            foreach (var d in ConstantDims(e))
                if (!d.IsKnown && !known.Contains(d))
                    throw new NablaException(ErrorCodes.Unsupported, $"the size {d.Name} is no variable's size; the code cannot size it");
    }

    private static IEnumerable<Dim> ConstantDims(Expr e)
    {
        if (e is Eye eye) yield return eye.N;
        if (e is Fill f) foreach (var d in f.Shape.Dims) yield return d;
        foreach (var c in e.Children)
            foreach (var d in ConstantDims(c)) yield return d;
    }

    // ----- expressions -----

    /// <summary>The code of an expression.</summary>
    protected string Code(Expr e) => Write(e).Code;

    /// <summary>The code, wrapped in parentheses when it binds looser than <paramref name="min"/>.</summary>
    protected string Code(Expr e, int min)
    {
        var (code, level) = Write(e);
        return level < min ? "(" + code + ")" : code;
    }

    /// <summary>The code, wrapped in parentheses when its level binds looser than <paramref name="min"/>.</summary>
    protected static string Wrap((string Code, int Level) c, int min) => c.Level < min ? "(" + c.Code + ")" : c.Code;

    /// <summary>The code of an expression with the precedence level of its outermost operator.</summary>
    protected (string Code, int Level) Write(Expr e)
    {
        Budget.Check();
        return e switch
        {
            Num n => n.Value < 0 ? (Number(n.Value), Unary) : (Number(n.Value), Primary),
            Var v => (NameOf(v.Name), Primary),
            Fill f => FillCode(f),
            Eye eye => (EyeCode(DimName(eye.N)), Primary),
            Neg g => ("-" + Code(g.X, Pow), Unary),
            Add a => AddCode(a),
            Mul m => MulCode(m),
            Div d => (Code(d.X, Product) + " " + DivideToken(scalar: true) + " " + Code(d.Divisor, Pow), Product),
            Elementwise w => (Code(w.Left, Product) + " " + (w.Op == ElementwiseOp.Mul ? ElementwiseTimes : DivideToken(scalar: false)) + " " + Code(w.Right, Pow), Product),
            Power p => PowerCode(p.Base, p.Exponent),
            MatPow mp => (MatPowCode(Code(mp.A, Primary), mp.K), Primary),
            Transpose t => TransposeCode(t.X),
            Call { Op.Name: "tr", Arg: Mul m } when m.Factors.Count(f => !f.Shape.IsScalar) >= 2 => TraceOfProduct(m),
            Call { Args.Count: 2 } c => CallCode(c.Op.Name, c.Args[0], c.Args[1]),
            Call c => CallCode(c.Op.Name, c.Arg),
            _ => throw new InvalidOperationException(e.GetType().Name),
        };
    }

    /// <summary>
    /// tr(P*Q) as the sum of P .* Q' (n² work, not the n³ of forming P*Q): Q the chain's last factor, P the rest;
    /// the chain's scalars multiply the sum.
    /// </summary>
    private (string Code, int Level) TraceOfProduct(Mul m)
    {
        var chain = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
        var last = chain[^1];
        var p = Chain(chain[..^1]);
        var q = last is Transpose { X: var qx } ? Write(qx) : TransposeCode(last);
        string sum = SumOfProduct(p, q);
        var scalars = m.Factors.Where(f => f.Shape.IsScalar).Select(f => Wrap(Write(f), Product)).ToList();
        return scalars.Count == 0 ? (sum, Primary) : (string.Join(" " + ScalarTimes + " ", [.. scalars, sum]), Product);
    }

    /// <summary>sum(a .* b) for two arrays of one shape (the codes of a and b, with their precedence).</summary>
    protected abstract string SumOfProduct((string Code, int Level) a, (string Code, int Level) b);

    /// <summary>The literal of a number in the target's syntax.</summary>
    protected abstract string Number(double v);
    /// <summary>The element-wise product operator ('*' in NumPy, '.*' in MATLAB).</summary>
    protected abstract string ElementwiseTimes { get; }
    /// <summary>The division operator: by a scalar, or element-wise when <paramref name="scalar"/> is false.</summary>
    protected abstract string DivideToken(bool scalar);
    /// <summary>The identity matrix of the size whose code is <paramref name="n"/>.</summary>
    protected abstract string EyeCode(string n);
    /// <summary>A constant-filled vector or matrix.</summary>
    protected abstract (string Code, int Level) FillCode(Fill f);
    /// <summary>A scalar power, or an element-wise power of a vector or matrix.</summary>
    protected abstract (string Code, int Level) PowerCode(Expr b, Expr exponent);
    /// <summary>The matrix power A^k of the matrix whose code is <paramref name="a"/>.</summary>
    protected abstract string MatPowCode(string a, int k);
    /// <summary>The transpose of a vector or matrix.</summary>
    protected abstract (string Code, int Level) TransposeCode(Expr x);
    /// <summary>A call of the one-argument op named <paramref name="op"/>.</summary>
    protected abstract (string Code, int Level) CallCode(string op, Expr arg);

    /// <summary>A call of two arguments (expm_frechet(A, E)).</summary>
    protected virtual (string Code, int Level) CallCode(string op, Expr a, Expr b) =>
        throw new NablaException(ErrorCodes.Unsupported, $"{op} has no {Name} form yet");

    /// <summary>A product of two factors of the chain (neither a plain scalar): @, an outer product, a solve, a broadcast for diag.</summary>
    protected abstract (string Code, int Level) MatrixProduct(ChainNode left, ChainNode right);

    /// <summary>Scalar times anything.</summary>
    protected virtual string ScalarTimes => "*";

    /// <summary>A sum, written with '-' for negated terms and broadcast scalars in place of fills.</summary>
    protected (string Code, int Level) AddCode(Add a)
    {
        var sb = new StringBuilder();
        bool broadcast = a.Terms.Any(t => t is not Fill);
        for (int i = 0; i < a.Terms.Count; i++)
        {
            var t = a.Terms[i];
            if (t is Fill f && broadcast && !a.Shape.IsScalar) t = f.Value;
            bool minus = t is Neg || t is Num { Value: < 0 } || t is Mul { Factors: [Num { Value: < 0 }, ..] };
            if (i > 0 && minus)
            {
                sb.Append(" - ").Append(Code(Negated(t), Product));
                continue;
            }
            if (i > 0) sb.Append(" + ");
            sb.Append(Code(t, i == 0 ? Sum : Product));
        }
        return (sb.ToString(), Sum);
    }

    private static Expr Negated(Expr t) => t switch
    {
        Neg g => g.X,
        Num n => new Num(-n.Value),
        Mul { Factors: [Num n, var rest] } => n.Value == -1 ? rest : new Mul([new Num(-n.Value), rest]),
        Mul m => m.Factors[0] is Num { Value: -1 } ? new Mul(m.Factors.Skip(1).ToList()) : new Mul([new Num(-((Num)m.Factors[0]).Value), .. m.Factors.Skip(1)]),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>A product: the scalar factors, then the matrix chain ordered by flop count, with a leading minus pulled out.</summary>
    protected (string Code, int Level) MulCode(Mul m)
    {
        var chain = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
        var parts = new List<(string Code, int Level)>();
        bool negate = false;
        foreach (var s in m.Factors.Where(f => f.Shape.IsScalar))
        {
            if (s is Num { Value: -1 }) { negate = !negate; continue; }
            if (s is Num { Value: < 0 } n) { negate = !negate; parts.Add((Number(-n.Value), Primary)); continue; }
            parts.Add(Write(s));
        }
        if (chain.Count > 0) parts.Add(Chain(chain));
        (string Code, int Level) body = parts.Count switch
        {
            0 => (Number(1), Primary),
            1 => parts[0],
            _ => (string.Join(" " + ScalarTimes + " ", parts.Select((p, i) => Wrap(p, i == 0 ? Product : Pow))), Product),
        };
        if (!negate) return body;
        // -(X' @ v) negates the result, not the matrix (in Python and MATLAB unary minus binds tighter than a product).
        return body.Level >= Pow ? ("-" + body.Code, Unary) : ("-(" + body.Code + ")", Unary);
    }

    /// <summary>A factor of a matrix chain or a product of two: its code and (rows, cols), a missing axis being 1.</summary>
    protected sealed record ChainNode(Expr? Leaf, ChainNode? Left, ChainNode? Right, Dim? Rows, Dim? Cols)
    {
        /// <summary>Whether both axes are present (a matrix, not a vector or scalar).</summary>
        public bool IsMatrix => Rows is not null && Cols is not null;
        /// <summary>Whether neither axis is present (a scalar in the chain).</summary>
        public bool IsOneByOne => Rows is null && Cols is null;
    }

    /// <summary>The chain ordered by flop count (an unknown size taken as 1000), printed by <see cref="MatrixProduct"/>.</summary>
    protected (string Code, int Level) Chain(IReadOnlyList<Expr> factors) =>
        factors.Count == 1 ? Write(factors[0]) : Node(ChainTree(factors));

    /// <summary>The product tree of a chain of two or more factors, ordered by flop count (an unknown size taken as 1000).</summary>
    protected static ChainNode ChainTree(IReadOnlyList<Expr> factors)
    {
        int k = factors.Count;
        static double Size(Dim? d) => d is null ? 1 : d.Value.IsKnown ? d.Value.Size : 1000;
        var cost = new double[k, k];
        var split = new int[k, k];
        for (int len = 2; len <= k; len++)
            for (int i = 0; i + len - 1 < k; i++)
            {
                int j = i + len - 1;
                cost[i, j] = double.MaxValue;
                for (int s = i; s < j; s++)
                {
                    double c = cost[i, s] + cost[s + 1, j]
                        + Size(factors[i].Shape.Rows) * Size(factors[s].Shape.Cols) * Size(factors[j].Shape.Cols);
                    if (c < cost[i, j]) { cost[i, j] = c; split[i, j] = s; }
                }
            }
        ChainNode Build(int i, int j)
        {
            if (i == j) return new ChainNode(factors[i], null, null, factors[i].Shape.Rows, factors[i].Shape.Cols);
            int s = split[i, j];
            return new ChainNode(null, Build(i, s), Build(s + 1, j), factors[i].Shape.Rows, factors[j].Shape.Cols);
        }
        return Build(0, k - 1);
    }

    /// <summary>The code of a chain node: a leaf's own code, or the product of its two halves (a matrix sum times a vector split into products).</summary>
    protected (string Code, int Level) Node(ChainNode n)
    {
        if (n.Leaf is { } leaf) return Write(leaf);
        // (A+A')*x as A*x + A'*x: two matrix-vector products, never the matrix sum (a full pass over A and A').
        if (n.Left!.Leaf is Add sum && sum.Shape.Kind == ShapeKind.Matrix && n.Right!.Leaf is Var { Shape.Kind: ShapeKind.Vector } v
            && sum.Terms.All(t => t is not Fill))
            return (string.Join(" + ", sum.Terms.Select(t => Wrap(Node(new ChainNode(null, Factor(t), n.Right, n.Rows, n.Cols)), Product))), Sum);
        if (n.Right!.Leaf is Add rsum && rsum.Shape.Kind == ShapeKind.Matrix && n.Left!.Leaf is Transpose { X: Var { Shape.Kind: ShapeKind.Vector } }
            && rsum.Terms.All(t => t is not Fill))
            return (string.Join(" + ", rsum.Terms.Select(t => Wrap(Node(new ChainNode(null, n.Left, Factor(t), n.Rows, n.Cols)), Product))), Sum);
        return Shared(MatrixProduct(n.Left!, n.Right!));
    }

    /// <summary>A chain leaf of the expression with its shape's axes.</summary>
    protected static ChainNode Factor(Expr e) => new(e, null, null, e.Shape.Rows, e.Shape.Cols);

    /// <summary>The vector of diag(v) when the node is that call on a vector.</summary>
    protected static Expr? DiagOfVector(ChainNode n) =>
        n.Leaf is Call { Op.Name: "diag" } c && c.Arg.Shape.Kind == ShapeKind.Vector ? c.Arg : null;

    /// <summary>The matrix of inv(A) when the node is that call.</summary>
    protected static Expr? InverseOf(ChainNode n) => n.Leaf is Call { Op.Name: "inv" } c ? c.Arg : null;

    /// <summary>The helper definitions (blank-line separated blocks, each defining one name) that <paramref name="code"/> calls.</summary>
    protected static string UsedHelpers(string helpers, string code, Func<string, string> nameOf)
    {
        var blocks = helpers.Split("\n\n\n", StringSplitOptions.RemoveEmptyEntries).Select(b => b.Trim('\n')).ToList();
        var keep = new List<string>();
        foreach (var b in blocks)
        {
            string name = nameOf(b);
            if (code.Contains(name + "(", StringComparison.Ordinal) || keep.Any(k => k.Contains(name + "(", StringComparison.Ordinal)))
                keep.Add(b);
        }
        // A helper may call one defined before it (_n in the check): keep those too.
        return string.Join("\n\n\n", blocks.Where(b => keep.Contains(b) || keep.Any(k => k.Contains(nameOf(b) + "(", StringComparison.Ordinal))));
    }

    /// <summary>A number written round-trippably with the invariant culture.</summary>
    protected static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
