using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;

namespace Nabla.Numerics;

/// <summary>The value of a derivative in index form, entry by entry (the check for results that have no matrix form).</summary>
public static class IndexFormValues
{
    /// <summary>The entries, row-major over the free indices, evaluated from the terms' closed forms.</summary>
    public static double[] Evaluate(this IndexForm form, Evaluator evaluator, Func<Dim, int> size)
    {
        var freeSizes = form.Dims.Select(size).ToArray();
        long total = freeSizes.Aggregate(1L, (a, b) => a * b);
        var result = new double[total];
        foreach (var term in form.Terms)
        {
            double scale = evaluator.Evaluate(term.Scale).ScalarValue;
            var values = term.Factors.Select(f => f.IsDelta ? null : evaluator.Evaluate(f.Value!)).ToList();
            var all = new List<string>(form.Free);
            var sizes = new Dictionary<string, int>();
            for (int i = 0; i < form.Free.Count; i++) sizes[form.Free[i]] = freeSizes[i];
            for (int fi = 0; fi < term.Factors.Count; fi++)
            {
                var f = term.Factors[fi];
                for (int a = 0; a < f.Indices.Count; a++)
                {
                    string ix = f.Indices[a];
                    if (sizes.ContainsKey(ix) || values[fi] is null) continue;
                    var t = values[fi]!;
                    sizes[ix] = f.Indices.Count == 2 ? (a == 0 ? t.Rows : t.Cols) : t.Length;
                    all.Add(ix);
                }
            }
            foreach (var f in term.Factors.Where(f => f.IsDelta))
                foreach (var ix in f.Indices)
                    if (!sizes.ContainsKey(ix)) throw new InvalidOperationException($"index {ix} has no size");
            long loops = all.Aggregate(1L, (a, ix) => a * sizes[ix]);
            if (loops > 200_000_000)
                throw new NablaException(ErrorCodes.LimitExceeded, "the derivative tensor is too large to evaluate entry by entry here");
            var pos = all.ToDictionary(ix => ix, ix => all.IndexOf(ix));
            var counter = new int[all.Count];
            for (long it = 0; it < loops; it++)
            {
                if ((it & 0xFFFF) == 0) Budget.Check();
                double prod = scale;
                for (int fi = 0; fi < term.Factors.Count && prod != 0; fi++)
                {
                    var f = term.Factors[fi];
                    if (f.IsDelta) { if (counter[pos[f.Indices[0]]] != counter[pos[f.Indices[1]]]) prod = 0; continue; }
                    var t = values[fi]!;
                    prod *= f.Indices.Count switch
                    {
                        0 => t.Data[0],
                        1 => t.Data[counter[pos[f.Indices[0]]]],
                        _ => t[counter[pos[f.Indices[0]]], counter[pos[f.Indices[1]]]],
                    };
                }
                if (prod != 0)
                {
                    long flat = 0;
                    for (int i = 0; i < form.Free.Count; i++) flat = flat * freeSizes[i] + counter[i];
                    result[flat] += prod;
                }
                for (int d = all.Count - 1; d >= 0; d--)
                {
                    if (++counter[d] < sizes[all[d]]) break;
                    counter[d] = 0;
                }
            }
        }
        return result;
    }
}
