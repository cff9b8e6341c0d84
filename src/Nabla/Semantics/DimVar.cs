using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Semantics;

/// <summary>A dimension being inferred: union-find over dimensions, each class maybe bound to a symbol or a size.</summary>
internal sealed class DimVar(int serial, string? symbol = null, int size = -1)
{
    private DimVar? _parent;

    public int Serial { get; } = serial;
    public string? Symbol { get; private set; } = symbol;
    public int Size { get; private set; } = size;

    public DimVar Root
    {
        get
        {
            var r = this;
            while (r._parent is not null) r = r._parent;
            var x = this;
            while (x._parent is not null) { var p = x._parent; x._parent = r; x = p; }
            return r;
        }
    }

    /// <summary>Merges the two classes; false (and nothing changed) if they are bound to different symbols or sizes.</summary>
    public static bool Unify(DimVar a, DimVar b)
    {
        a = a.Root; b = b.Root;
        if (ReferenceEquals(a, b)) return true;
        if (a.Size >= 0 && b.Size >= 0 && a.Size != b.Size) return false;
        if (a.Symbol is not null && b.Symbol is not null && a.Symbol != b.Symbol && (a.Size < 0 || b.Size < 0)) return false;
        // Keep the older class as the root so that names follow first appearance.
        if (b.Serial < a.Serial) (a, b) = (b, a);
        b._parent = a;
        if (a.Size < 0) a.Size = b.Size;
        a.Symbol ??= b.Symbol;
        return true;
    }
}

/// <summary>A shape being inferred (null = structural 1, as in <see cref="Shape"/>).</summary>
internal readonly record struct BShape(DimVar? R, DimVar? C)
{
    public static readonly BShape Scalar = new(null, null);
    public bool IsScalar => R is null && C is null;
    public ShapeKind Kind => new Shape(R is null ? null : default(Dim), C is null ? null : default(Dim)).Kind;
    public BShape Transposed => new(C, R);
}

/// <summary>Gives every dimension class a name: its size, its declared symbol, or the next free letter.</summary>
internal sealed class DimNamer
{
    private static readonly string[] Pool = ["n", "m", "k", "p", "q", "r", "s", "t", "u", "v", "l", "j"];
    private readonly Dictionary<DimVar, Dim> _names = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _used;
    private int _next;

    public DimNamer(IEnumerable<DimVar> all)
    {
        var list = all.ToList();
        _used = list.Select(d => d.Root.Symbol).OfType<string>().ToHashSet();
        foreach (var d in list.OrderBy(d => d.Serial)) Name(d);
    }

    public Dim Name(DimVar d)
    {
        var root = d.Root;
        if (_names.TryGetValue(root, out var n)) return n;
        Dim dim;
        if (root.Size >= 0) dim = Dim.Of(root.Size);
        else if (root.Symbol is not null) dim = Dim.Symbol(root.Symbol);
        else dim = Dim.Symbol(Fresh());
        _names[root] = dim;
        return dim;
    }

    private string Fresh()
    {
        while (true)
        {
            int i = _next++;
            string name = i < Pool.Length ? Pool[i] : "n" + (i - Pool.Length + 1);
            if (_used.Add(name)) return name;
        }
    }

    public Shape Resolve(BShape s) => new(s.R is null ? null : Name(s.R), s.C is null ? null : Name(s.C));
}
