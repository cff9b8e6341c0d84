using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Numerics;

/// <summary>Random values for the variables of an expression, drawn to fit the domains of the functions applied to them.</summary>
public static class RandomPoint
{
    /// <summary>Random values for <paramref name="vars"/>, each unknown size drawn between <paramref name="minSize"/> and <paramref name="maxSize"/>, in the domains of the functions of <paramref name="f"/>.</summary>
    public static Dictionary<string, Tensor> Draw(Expr f, IReadOnlyList<Var> vars, Random rng, int minSize = 2, int maxSize = 4)
    {
        var sizes = new Dictionary<Dim, int>();
        int Size(Dim d)
        {
            if (d.IsKnown) return d.Size;
            if (!sizes.TryGetValue(d, out int s)) sizes[d] = s = rng.Next(minSize, maxSize + 1);
            return s;
        }
        var positive = new HashSet<string>();
        var spd = new HashSet<string>();
        Scan(f, positive, spd);
        var values = new Dictionary<string, Tensor>();
        long total = 0;
        foreach (var v in vars)
        {
            int r = v.Shape.Rows is { } rd ? Size(rd) : 1;
            int c = v.Shape.Cols is { } cd ? Size(cd) : 1;
            total += (long)r * c;
            if (total > Evaluator.MaxEntries)
                throw new Diagnostics.NablaException(Diagnostics.ErrorCodes.LimitExceeded,
                    $"the random values for the check would hold {total:N0} numbers ({v.Name} is {r:N0}×{c:N0}); the limit is {Evaluator.MaxEntries:N0}");
            var kind = v.Shape.Kind;
            Tensor t;
            if ((spd.Contains(v.Name) || v.Symmetric) && r == c && kind == ShapeKind.Matrix)
                t = Spd(r, rng, shift: spd.Contains(v.Name));
            else
            {
                var d = new double[r * c];
                for (int i = 0; i < d.Length; i++)
                    d[i] = positive.Contains(v.Name) ? 0.5 + rng.NextDouble() : rng.NextDouble() * 2 - 1;
                t = new Tensor(kind, r, c, d);
            }
            values[v.Name] = t;
        }
        return values;
    }

    /// <summary>The variables whose values must be positive (under log, sqrt, a power, a division) or SPD (under inv, det, logdet).</summary>
    public static (IReadOnlySet<string> Positive, IReadOnlySet<string> Spd) Domains(Expr f)
    {
        var positive = new HashSet<string>();
        var spd = new HashSet<string>();
        Scan(f, positive, spd);
        return (positive, spd);
    }

    /// <summary>A symmetric matrix; well-conditioned positive definite when <paramref name="shift"/> is set.</summary>
    public static Tensor Spd(int n, Random rng, bool shift)
    {
        var b = new double[n * n];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextDouble() * 2 - 1;
        var m = Tensor.Zeros(ShapeKind.Matrix, n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
                m[i, j] = shift ? s / n + (i == j ? 1 : 0) : (b[i * n + j] + b[j * n + i]) / 2;
            }
        return m;
    }

    /// <summary>Marks variables that sit under an op whose points are positive (log, sqrt), a power or a division, or under one whose points are SPD (inv, det, logdet).</summary>
    private static void Scan(Expr e, HashSet<string> positive, HashSet<string> spd, bool underPositive = false, bool underSpd = false)
    {
        switch (e)
        {
            case Var v:
                if (underPositive) positive.Add(v.Name);
                if (underSpd) spd.Add(v.Name);
                return;
            case Call c:
            {
                bool p = underPositive || c.Op.PointDomain == PointDomain.Positive;
                bool s = underSpd || c.Op.PointDomain == PointDomain.Spd;
                foreach (var a in c.Args) Scan(a, positive, spd, p, s);
                return;
            }
            case Power p:
                Scan(p.Base, positive, spd, true, underSpd);
                Scan(p.Exponent, positive, spd, underPositive, underSpd);
                return;
            case MatPow mp:
                Scan(mp.A, positive, spd, underPositive, underSpd || mp.K < 0);
                return;
            case Div d:
                Scan(d.X, positive, spd, underPositive, underSpd);
                Scan(d.Divisor, positive, spd, true, underSpd);
                return;
            case Elementwise { Op: ElementwiseOp.Div } w:
                Scan(w.Left, positive, spd, underPositive, underSpd);
                Scan(w.Right, positive, spd, true, underSpd);
                return;
        }
        foreach (var c in e.Children) Scan(c, positive, spd, underPositive, underSpd);
    }
}
