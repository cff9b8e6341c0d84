using System.Text;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Printing;

/// <summary>A name given to a subexpression: <c>t0 = sigmoid(-y.*(X*w))</c>.</summary>
public sealed record Binding(Var Name, Expr Value)
{
    /// <summary>The value in the language's notation.</summary>
    public string Text => TextPrinter.PrintResult(Value);
    /// <summary>The value in LaTeX.</summary>
    public string Latex => LatexPrinter.Print(Value);
}

/// <summary>
/// Results with their repeated subexpressions named once: <c>X'*diag(y.^2.*t0.*(1-t0))*X where t0 = sigmoid(-y.*(X*w))</c>.
/// The bindings come in the order of definition: each uses only names defined before it. The text reads back
/// (docs/language.md section 3, <c>where</c>) and evaluates as the expanded results do. The same mechanism is the
/// straight-line program of generated code (<see cref="Roots"/> share the bindings).
/// </summary>
public sealed class Factored
{
    /// <summary>The most names given; past it the rest stays written out.</summary>
    public const int MaxBindings = 64;

    /// <summary>The results, written with the bindings' names.</summary>
    public IReadOnlyList<Expr> Roots { get; }

    /// <summary>The bindings, in the order of definition.</summary>
    public IReadOnlyList<Binding> Bindings { get; }

    private Factored(IReadOnlyList<Expr> roots, IReadOnlyList<Binding> bindings)
    {
        Roots = roots;
        Bindings = bindings;
    }

    /// <summary>
    /// Names every subexpression worth it: one that occurs at least twice across <paramref name="roots"/> (and the
    /// bindings already made) and is more than a variable, a constant, or a transposed or negated one. The largest is
    /// named first, so a repeated part of a repeated whole is named only if it also repeats outside it. Names are
    /// <c>t0, t1, …</c> for scalars and vectors, <c>T0, T1, …</c> for matrices (matrixcalculus.org's habit), skipping
    /// every name in <paramref name="taken"/> (the variables, the sizes, the functions).
    /// </summary>
    public static Factored Of(IReadOnlyList<Expr> roots, IEnumerable<string> taken)
    {
        var current = roots.ToList();
        var values = new List<(Var Placeholder, Expr Value)>();
        for (int round = 0; round < MaxBindings; round++)
        {
            Budget.Check();
            var counts = new Dictionary<Expr, (int Count, int Size)>();
            foreach (var r in current) Count(r, counts);
            foreach (var (_, v) in values) Count(v, counts);
            Expr? best = null;
            int bestSize = 0;
            foreach (var (e, (n, size)) in counts)
            {
                if (n < 2 || Trivial(e)) continue;
                if (size > bestSize || (size == bestSize && best is not null && StructuralOrder.Compare(e, best) < 0)) { best = e; bestSize = size; }
            }
            if (best is null) break;
            var placeholder = new Var($"\u0000{values.Count}", best.Shape);
            for (int i = 0; i < current.Count; i++) current[i] = current[i].Replace(best, placeholder);
            for (int i = 0; i < values.Count; i++) values[i] = (values[i].Placeholder, values[i].Value.Replace(best, placeholder));
            values.Add((placeholder, best));
        }
        if (values.Count == 0) return new Factored(roots, []);

        // Order of definition and names: depth first from the roots, a binding numbered after what it uses.
        var byPlaceholder = values.ToDictionary(v => v.Placeholder.Name, v => v.Value);
        var used = new HashSet<string>(taken, StringComparer.Ordinal);
        foreach (var r in roots)
            foreach (var v in ExprQueries.Variables(r)) { used.Add(v.Name); foreach (var d in v.Shape.Dims) used.Add(d.Name); }
        var renamed = new Dictionary<string, Var>();
        var order = new List<string>();
        int next = 0;
        void Visit(Expr e)
        {
            if (e is Var v && byPlaceholder.TryGetValue(v.Name, out var value))
            {
                if (renamed.ContainsKey(v.Name)) return;
                Visit(value);
                string name;
                do name = (v.Shape.Kind == ShapeKind.Matrix ? "T" : "t") + next++; while (used.Contains(name));
                renamed[v.Name] = new Var(name, v.Shape);
                order.Add(v.Name);
                return;
            }
            foreach (var c in e.Children) Visit(c);
        }
        foreach (var r in current) Visit(r);
        Expr Rename(Expr e) => e is Var v && renamed.TryGetValue(v.Name, out var to) ? to
            : e.Children.Count == 0 ? e : e.WithChildren(e.Children.Select(Rename).ToList());
        var bindings = order.Select(p => new Binding(renamed[p], Rename(byPlaceholder[p]))).ToList();
        return new Factored(current.Select(Rename).ToList(), bindings);
    }

    /// <summary>Whether anything was named.</summary>
    public bool HasBindings => Bindings.Count > 0;

    /// <summary>The bindings that <paramref name="root"/> needs, directly or through other bindings, in order of definition.</summary>
    public IReadOnlyList<Binding> BindingsOf(int root)
    {
        var need = new HashSet<string>(StringComparer.Ordinal);
        void Mark(Expr e)
        {
            foreach (var v in ExprQueries.Variables(e))
            {
                var b = Bindings.FirstOrDefault(b => b.Name.Name == v.Name);
                if (b is not null && need.Add(v.Name)) Mark(b.Value);
            }
        }
        Mark(Roots[root]);
        return Bindings.Where(b => need.Contains(b.Name.Name)).ToList();
    }

    /// <summary><c>main where t0 = …, T1 = …</c>: the text of one root in the language, with the bindings it needs.</summary>
    public string Text(int root = 0, bool sizes = false)
    {
        var sb = new StringBuilder(TextPrinter.PrintResult(Roots[root], sizes));
        var needed = BindingsOf(root);
        for (int i = 0; i < needed.Count; i++)
            sb.Append(i == 0 ? " where " : ", ").Append(needed[i].Name.Name).Append(" = ").Append(TextPrinter.PrintResult(needed[i].Value, sizes));
        return sb.ToString();
    }

    /// <summary>LaTeX of one root, then its bindings: <c>… \quad\text{where}\quad t_{0} = …,\; …</c>.</summary>
    public string Latex(int root = 0)
    {
        var sb = new StringBuilder(LatexPrinter.Print(Roots[root]));
        var needed = BindingsOf(root);
        for (int i = 0; i < needed.Count; i++)
            sb.Append(i == 0 ? "\\quad\\text{where}\\quad " : ",\\; ").Append(LatexPrinter.Name(needed[i].Name.Name)).Append(" = ").Append(needed[i].Latex);
        return sb.ToString();
    }

    /// <summary>
    /// Counts the occurrences of every subexpression and returns the size of <paramref name="e"/>. The parts of a
    /// repeated subexpression are counted with its first occurrence only: they repeat because it does, and it is
    /// named first (it is larger); once it is, they are counted again, in its binding, with what else uses them.
    /// </summary>
    private static int Count(Expr e, Dictionary<Expr, (int Count, int Size)> counts)
    {
        Budget.Check();
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, e, out bool existed);
        if (existed)
        {
            entry.Count++;
            return entry.Size;
        }
        entry = (1, 1);
        int size = 1;
        foreach (var c in e.Children) size += Count(c, counts);
        counts[e] = (counts[e].Count, size); // the ref may have moved while the children were added
        return size;
    }

    /// <summary>Not worth a name: a leaf, a leaf transposed or negated, a number times a leaf.</summary>
    private static bool Trivial(Expr e) => e switch
    {
        Num or Var or Eye => true,
        Fill f => Trivial(f.Value),
        Transpose t => Leaf(t.X),
        Neg g => Leaf(g.X),
        Mul m => m.Factors.Count(f => f is not Num) <= 1 && m.Factors.All(f => f is Num || Leaf(f)),
        _ => false,
    };

    private static bool Leaf(Expr e) => e is Num or Var or Eye or Fill { Value: Num } || e is Transpose { X: Var };
}
