using System.Globalization;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Semantics;

namespace Nabla.Models.Formulas;

/// <summary>Options of <see cref="Design.Build"/>.</summary>
public sealed record DesignOptions
{
    /// <summary>What to do with a row missing a value the formula uses (left out by default).</summary>
    public MissingPolicy Missing { get; init; } = MissingPolicy.Drop;

    /// <summary>A column of positive weights (WLS's analytic weights), or null.</summary>
    public string? Weights { get; init; }

    /// <summary>A column whose values group the rows into clusters (for cluster-robust errors), or null.</summary>
    public string? Cluster { get; init; }

    /// <summary>The most design columns a formula may make (a text column of IDs would make one per row).</summary>
    public int MaxColumns { get; init; } = 20_000;

    /// <summary>For tests: sum X'X over the one-hot groups (true) or densely (false); null chooses by the design.</summary>
    internal bool? SparseSums { get; init; }
}

/// <summary>A factor evaluated on a frame: numbers (Values, NaN where missing) or a categorical's codes into Levels.</summary>
internal sealed class FactorValues
{
    public required FormulaFactor Factor { get; init; }
    public double[]? Values { get; init; }
    public int[]? Codes { get; init; }

    /// <summary>Level names in the coding's order (sorted, the reference first), for a categorical.</summary>
    public string[] Levels { get; set; } = [];

    /// <summary>The frame column's level code → the position in <see cref="Levels"/> (-1: not among the rows used).</summary>
    public int[] LevelOf { get; set; } = [];

    /// <summary>Rows (frame order) where the input had no value.</summary>
    public required bool[] Missing { get; init; }

    /// <summary>The column(s) read, for missing-value messages.</summary>
    public required string Columns { get; init; }

    /// <summary>The first row where a value is present but the function is undefined (log of 0), with the input.</summary>
    public (int Row, string Input)? Undefined { get; set; }

    /// <summary>For center/standardize: the training mean and scale, reused when predicting.</summary>
    public (double Mean, double Scale)? Standardisation { get; set; }

    public bool IsCategorical => Codes is not null;
}

/// <summary>One design column: the product of numeric factors and indicators of categorical levels.</summary>
internal sealed record DesignColumn(string Name, int[] Numeric, (int Factor, int Level)[] Indicators);

/// <summary>
/// A formula applied to a frame: the design matrix's columns, coded as patsy codes them (so the names and the order
/// are statsmodels'), the response, the weights and clusters, and the rows used after missing values were dropped.
/// The coding (levels, references, standardisation) is kept for predicting on new data.
/// </summary>
public sealed class Design
{
    private readonly List<FactorValues> _factors;
    private readonly List<DesignColumn> _columns;

    private Design(Formula formula, List<FactorValues> factors, List<DesignColumn> columns, bool intercept)
    {
        Formula = formula;
        _factors = factors;
        _columns = columns;
        Intercept = intercept;
    }

    /// <summary>The formula the design was built from.</summary>
    public Formula Formula { get; }

    /// <summary>A leading column of ones, named "Intercept".</summary>
    public bool Intercept { get; }

    /// <summary>The response's name as written (e.g. price, np.log(price)).</summary>
    public string ResponseName { get; private init; } = "";

    /// <summary>The columns after the intercept, named as patsy names them: C(city)[T.Paris], sqft:beds, I(sqft ** 2).</summary>
    public IReadOnlyList<string> ColumnNames => _columns.Select(c => c.Name).ToList();

    /// <summary>The columns, the intercept first when there is one.</summary>
    public IReadOnlyList<string> AllNames => Intercept ? ["Intercept", .. ColumnNames] : ColumnNames;

    /// <summary>The number of columns after the intercept.</summary>
    public int Width => _columns.Count;

    /// <summary>The rows of the frame used, in order.</summary>
    public int[] Rows { get; private init; } = [];

    /// <summary>The number of rows used.</summary>
    public int N => Rows.Length;

    /// <summary>Rows left out for a missing value in a used column.</summary>
    public int Dropped { get; private init; }

    /// <summary>The response of each used row.</summary>
    public double[] Y { get; private init; } = [];
    /// <summary>The weight of each used row, or null when the rows are unweighted.</summary>
    public double[]? Weights { get; private init; }

    /// <summary>Cluster of each used row, 0-based, and the number of clusters.</summary>
    public (int[] Ids, int Count)? Clusters { get; private init; }

    /// <summary>The frame the design was built on.</summary>
    public Frame Frame { get; private init; } = null!;

    /// <summary>"n = 9,812 (188 rows dropped: missing values)".</summary>
    public string RowsText => Dropped == 0 ? $"n = {N:N0}" : $"n = {N:N0} ({Dropped:N0} row{(Dropped == 1 ? "" : "s")} dropped: missing values)";

    /// <summary>Builds the design of <paramref name="formula"/> on <paramref name="frame"/>.</summary>
    public static Design Build(Frame frame, Formula formula, DesignOptions? options = null)
    {
        options ??= new DesignOptions();
        if (formula.Response is null) throw Formula.Error("the formula has no response: write it as y ~ x1 + x2", 0, 1);
        var terms = ExpandDot(frame, formula, options);
        var cache = new Dictionary<FormulaFactor, FactorValues>();
        FactorValues Get(FormulaFactor f) => cache.TryGetValue(f, out var v) ? v : cache[f] = Evaluate(frame, f, formula.Text);
        var response = Get(formula.Response);
        if (response.IsCategorical)
            throw Formula.Error($"the response {formula.Response.Name} must be numeric, but '{response.Columns}' holds text (e.g. '{frame[response.Columns] switch { TextColumn t => t.Levels.FirstOrDefault(), _ => "" }}')", formula.Response.Span.Start, formula.Response.Span.Length);
        foreach (var t in terms) foreach (var f in t.Factors) Get(f);
        var weightCol = options.Weights is null ? null : frame[options.Weights];
        var clusterCol = options.Cluster is null ? null : frame[options.Cluster];
        if (weightCol is TextColumn) throw new CsvDataException($"the weights column '{options.Weights}' must hold numbers");

        // rows: drop (or stop at) a missing value in any column used
        static string Label(FactorValues fv) => fv.Columns.Contains(", ") ? $"{fv.Factor.Name} (columns {fv.Columns})" : $"column '{fv.Columns}'";
        var used = new List<(string Name, Func<int, bool> Missing)>
        {
            (Label(response), i => response.Missing[i]),
        };
        foreach (var fv in cache.Values.Where(v => v != response)) used.Add((Label(fv), i => fv.Missing[i]));
        if (weightCol is not null) used.Add(($"column '{weightCol.Name}'", weightCol.IsMissing));
        if (clusterCol is not null) used.Add(($"column '{clusterCol.Name}'", clusterCol.IsMissing));
        var rows = new List<int>(frame.Rows);
        for (int i = 0; i < frame.Rows; i++)
        {
            bool missing = false;
            foreach (var (name, isMissing) in used)
                if (isMissing(i))
                {
                    if (options.Missing == MissingPolicy.Error)
                        throw new CsvDataException($"{frame.Where(i)}, {name}: the value is missing (--missing drop leaves such rows out)");
                    missing = true;
                    break;
                }
            if (!missing) rows.Add(i);
        }
        if (rows.Count == 0) throw new CsvDataException($"every row of '{frame.Source}' has a missing value in a column the formula uses ({string.Join("; ", used.Select(u => u.Name).Distinct())})");
        var kept = rows.ToArray();
        var keptMask = new bool[frame.Rows];
        foreach (int r in kept) keptMask[r] = true;
        foreach (var fv in cache.Values)
            if (fv.Undefined is { } u && keptMask[u.Row])
                throw new CsvDataException($"{frame.Where(u.Row)}: {fv.Factor.Name} is undefined at {u.Input}; leave such rows out, or transform differently");
            else if (fv.Undefined is not null)
                foreach (int r in kept)
                    if (!double.IsFinite(fv.Values![r])) throw new CsvDataException($"{frame.Where(r)}: {fv.Factor.Name} is not finite there");

        // the levels of each categorical among the rows used, sorted as pandas sorts them, the reference first
        foreach (var fv in cache.Values.Where(v => v.IsCategorical)) OrderLevels(frame, fv, kept, formula.Text);
        var standardised = cache.Values.Where(v => v.Factor.Function is "center" or "standardize" or "scale").ToList();
        foreach (var fv in standardised) Standardise(fv, kept);

        var (intercept, columns) = Code(terms, formula.Intercept, cache, options.MaxColumns, formula.Text);
        if (!intercept && columns.Count == 0)
            throw Formula.Error("the formula has no terms and no intercept: there is nothing to fit (y ~ 1 fits the mean)", 0, formula.Text.Length);
        var factors = cache.Values.ToList(); // the columns' factor indices are positions in this order

        var y = new double[kept.Length];
        for (int i = 0; i < kept.Length; i++) y[i] = response.Values![kept[i]];
        double[]? w = null;
        if (weightCol is NumberColumn wc)
        {
            w = new double[kept.Length];
            for (int i = 0; i < kept.Length; i++)
            {
                w[i] = wc.Values[kept[i]];
                if (!(w[i] > 0)) throw new CsvDataException($"{frame.Where(kept[i])}, column '{wc.Name}': the weight {w[i].ToString("G6", CultureInfo.InvariantCulture)} is not positive; weights must be > 0");
            }
        }
        (int[], int)? clusters = null;
        if (clusterCol is not null)
        {
            var ids = new int[kept.Length];
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < kept.Length; i++)
            {
                string key = clusterCol switch
                {
                    NumberColumn n => n.Values[kept[i]].ToString("R", CultureInfo.InvariantCulture),
                    TextColumn t => t.Levels[t.Codes[kept[i]]],
                    _ => "",
                };
                if (!map.TryGetValue(key, out int id)) map[key] = id = map.Count;
                ids[i] = id;
            }
            clusters = (ids, map.Count);
        }
        return new Design(formula, factors, columns, intercept)
        {
            ResponseName = formula.Response.Name,
            Rows = kept,
            Dropped = frame.Rows - kept.Length,
            Y = y,
            Weights = w,
            Clusters = clusters,
            Frame = frame,
        };
    }

    /// <summary>The design's rows [<paramref name="from"/>, from + count) (of the rows used), row-major, without the intercept.</summary>
    public void Fill(int from, int count, Span<double> x) => Fill(_factors, Rows, from, count, x);

    /// <summary>The whole design (without the intercept), row-major n × Width.</summary>
    public double[] Matrix()
    {
        var x = new double[(long)N * Width];
        const int chunk = 4096;
        Parallel.For(0, (N + chunk - 1) / chunk, b =>
        {
            int from = b * chunk, count = Math.Min(chunk, N - from);
            Fill(from, count, x.AsSpan((int)((long)from * Width), count * Width));
        });
        return x;
    }

    private void Fill(List<FactorValues> factors, int[] rows, int from, int count, Span<double> x)
    {
        int d = _columns.Count;
        for (int i = 0; i < count; i++)
        {
            int r = rows[from + i];
            var dst = x.Slice(i * d, d);
            for (int j = 0; j < d; j++)
            {
                var c = _columns[j];
                double v = 1;
                foreach (int k in c.Numeric) v *= factors[k].Values![r];
                foreach (var (k, level) in c.Indicators)
                    if (factors[k].LevelOf[factors[k].Codes![r]] != level) { v = 0; break; }
                dst[j] = v;
            }
        }
    }

    /// <summary>
    /// The same design on new data (for --predict): the same columns, the same levels and references, the
    /// training standardisation. A level not seen in training is an error naming it; a row with a missing value gets
    /// no prediction (NaN) when <paramref name="missing"/> is Drop.
    /// </summary>
    public (double[] X, bool[] Missing) Apply(Frame frame, MissingPolicy missing = MissingPolicy.Drop)
    {
        var factors = new List<FactorValues>();
        var inputs = new List<FactorValues>();
        foreach (var trained in _factors)
        {
            if (trained.Factor.Equals(Formula.Response) && !_columns.Any(c => c.Numeric.Contains(factors.Count) || c.Indicators.Any(t => t.Factor == factors.Count)))
            {
                // the response: not needed to predict
                factors.Add(new FactorValues { Factor = trained.Factor, Missing = new bool[frame.Rows], Columns = trained.Columns });
                continue;
            }
            var fv = Evaluate(frame, trained.Factor, Formula.Text);
            inputs.Add(fv);
            if (trained.IsCategorical)
            {
                var map = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int l = 0; l < trained.Levels.Length; l++) map[trained.Levels[l]] = l;
                var names = LevelNames(frame, fv);
                var levelOf = new int[names.Length];
                for (int c = 0; c < names.Length; c++)
                {
                    if (map.TryGetValue(names[c], out int l)) { levelOf[c] = l; continue; }
                    int row = Array.IndexOf(fv.Codes!, c);
                    if (row < 0) { levelOf[c] = -1; continue; }
                    throw new CsvDataException($"{frame.Where(row)}: {trained.Factor.Name} is '{names[c]}', a level not seen in the training data (its levels: {string.Join(", ", trained.Levels)})");
                }
                fv.Levels = trained.Levels;
                fv.LevelOf = levelOf;
            }
            if (trained.Standardisation is { } s)
            {
                var v = fv.Values!;
                for (int i = 0; i < v.Length; i++) v[i] = (v[i] - s.Mean) / s.Scale;
            }
            factors.Add(fv);
        }
        var mask = new bool[frame.Rows];
        var rows = new List<int>();
        for (int i = 0; i < frame.Rows; i++)
        {
            var absent = inputs.FirstOrDefault(f => f.Missing[i]);
            if (absent is not null)
            {
                if (missing == MissingPolicy.Error) throw new CsvDataException($"{frame.Where(i)}, column '{absent.Columns}': the value is missing");
                mask[i] = true;
                continue;
            }
            if (inputs.FirstOrDefault(f => f.Undefined is not null && !double.IsFinite(f.Values![i])) is { } bad)
                throw new CsvDataException($"{frame.Where(i)}: {bad.Factor.Name} is undefined there");
            rows.Add(i);
        }
        var all = Enumerable.Range(0, frame.Rows).ToArray();
        var x = new double[(long)frame.Rows * Width];
        foreach (int r in rows) Fill(factors, all, r, 1, x.AsSpan((int)((long)r * Width), Width));
        return (x, mask);
    }

    // ---- rows in sparse form -----------------------------------------------------------------------------------

    /// <summary>
    /// A one-hot group: the columns of one subterm with categorical factors. In each row at most one of them is
    /// non-zero (the row's level combination; none for a reference level), with the value of the subterm's numeric
    /// factors.
    /// </summary>
    internal sealed record Group(int[] Numeric, int[] Factors, int[] Strides, int[] Map);

    /// <summary>The design as dense columns (numeric only) and one-hot groups, for sums that skip the zeros.</summary>
    internal (int[] Dense, Group[] Groups) Layout()
    {
        var dense = new List<int>();
        var groups = new Dictionary<string, (int[] Numeric, int[] Factors, List<(int Col, int[] Levels)> Cols)>();
        for (int j = 0; j < _columns.Count; j++)
        {
            var c = _columns[j];
            if (c.Indicators.Length == 0) { dense.Add(j); continue; }
            var fs = c.Indicators.Select(t => t.Factor).ToArray();
            var num = c.Numeric.Order().ToArray();
            string key = string.Join(",", num) + "|" + string.Join(",", fs);
            if (!groups.TryGetValue(key, out var g)) groups[key] = g = (num, fs, []);
            g.Cols.Add((j, c.Indicators.Select(t => t.Level).ToArray()));
        }
        var result = new List<Group>();
        foreach (var (num, fs, cols) in groups.Values)
        {
            var strides = new int[fs.Length];
            int size = 1;
            for (int k = 0; k < fs.Length; k++) { strides[k] = size; size = checked(size * Math.Max(1, _factors[fs[k]].Levels.Length)); }
            var map = new int[size];
            Array.Fill(map, -1);
            foreach (var (col, levels) in cols)
            {
                int at = 0;
                for (int k = 0; k < fs.Length; k++) at += levels[k] * strides[k];
                map[at] = col;
            }
            result.Add(new Group(num, fs, strides, map));
        }
        return ([.. dense], [.. result]);
    }

    /// <summary>Row <paramref name="i"/> (of the rows used): its dense columns' values, and the one column (or -1) and value of each group.</summary>
    internal void SparseRow(int i, int[] dense, Group[] groups, Span<double> denseValues, Span<int> hitCols, Span<double> hitValues)
    {
        int r = Rows[i];
        for (int t = 0; t < dense.Length; t++)
        {
            double v = 1;
            foreach (int k in _columns[dense[t]].Numeric) v *= _factors[k].Values![r];
            denseValues[t] = v;
        }
        for (int g = 0; g < groups.Length; g++)
        {
            var grp = groups[g];
            int at = 0;
            bool none = false;
            for (int k = 0; k < grp.Factors.Length; k++)
            {
                var f = _factors[grp.Factors[k]];
                int level = f.LevelOf[f.Codes![r]];
                if (level < 0) { none = true; break; }
                at += level * grp.Strides[k];
            }
            int col = none ? -1 : grp.Map[at];
            hitCols[g] = col;
            if (col < 0) { hitValues[g] = 0; continue; }
            double v = 1;
            foreach (int k in grp.Numeric) v *= _factors[k].Values![r];
            hitValues[g] = v;
        }
    }

    // ---- building ----------------------------------------------------------------------------------------------

    private static List<FormulaTerm> ExpandDot(Frame frame, Formula formula, DesignOptions options)
    {
        var terms = formula.Terms.ToList();
        if (formula.DotAt < 0) return terms;
        var named = new HashSet<string>(StringComparer.Ordinal);
        void Name(FormulaFactor f) { if (f.Column is not null) named.Add(f.Column); }
        Name(formula.Response!);
        foreach (var f in formula.Excluded) Name(f);
        foreach (var t in terms) foreach (var f in t.Factors) Name(f);
        if (options.Weights is not null) named.Add(options.Weights);
        if (options.Cluster is not null) named.Add(options.Cluster);
        var extra = frame.Columns.Where(c => !named.Contains(c.Name))
            .Select(c => new FormulaTerm([new FormulaFactor(formula.Written ? Formula.Quote(c.Name) : c.Name, FactorKind.Column, new TextSpan(0, 0)) { Column = c.Name }]));
        terms.InsertRange(formula.DotAt, extra);
        return terms;
    }

    private static NablaException At(FormulaFactor f, string message) => Formula.Error(message, f.Span.Start, f.Span.Length);

    private static FrameColumn ColumnOf(Frame frame, FormulaFactor f, string name)
    {
        var c = frame.Find(name);
        if (c is not null) return c;
        var near = frame.Columns.Select(k => k.Name).Where(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase) || Edit(k, name) <= 2).ToList();
        string hint = near.Count > 0 ? $" (did you mean {string.Join(" or ", near.Select(k => $"'{k}'"))}?)" : "";
        throw At(f, $"there is no column '{name}' in '{frame.Source}'{hint}; its columns are: {string.Join(", ", frame.Columns.Select(k => k.Name))}");
    }

    private static int Edit(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2) return 3;
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1));
        return d[a.Length, b.Length];
    }

    private static NumberColumn Numeric(Frame frame, FormulaFactor f, string name, string what)
    {
        var c = ColumnOf(frame, f, name);
        if (c is NumberColumn n) return n;
        var t = (TextColumn)c;
        if (t.OtherDecimal is { } sample)
            throw At(f, $"column '{name}' holds numbers written with a decimal comma ('{sample}'); give --decimal , (or C({Formula.Quote(name)}) to treat them as labels)");
        if (t.MixedWithNumbers is { } m)
            throw At(f, $"column '{name}' mixes numbers and text: row {m.Row} has '{m.Value}'; fix the value, mark it as missing (--na '{m.Value}'), or write C({Formula.Quote(name)}) to treat every value as a label");
        throw At(f, $"{what} needs numbers, but column '{name}' holds text (e.g. '{t.Levels.FirstOrDefault()}'); a text column is categorical: write {Formula.Quote(name)} or C({Formula.Quote(name)}) alone");
    }

    private static FactorValues Evaluate(Frame frame, FormulaFactor f, string formulaText)
    {
        switch (f.Kind)
        {
            case FactorKind.Column:
            {
                var c = ColumnOf(frame, f, f.Column!);
                if (c is TextColumn t)
                {
                    if (t.OtherDecimal is not null || t.MixedWithNumbers is not null) Numeric(frame, f, f.Column!, f.Name); // the error
                    return Categorical(f, t);
                }
                var n = (NumberColumn)c;
                return new FactorValues { Factor = f, Values = n.Values, Missing = Mask(n), Columns = n.Name };
            }
            case FactorKind.Categorical:
            {
                var c = ColumnOf(frame, f, f.Column!);
                if (c is TextColumn t) return Categorical(f, t);
                var n = (NumberColumn)c;
                // a numeric column as categorical: one level per distinct value, named as pandas prints the value
                var values = n.Values.Where(v => !double.IsNaN(v)).Distinct().Order().ToArray();
                var index = new Dictionary<double, int>();
                for (int l = 0; l < values.Length; l++) index[values[l]] = l;
                var codes = new int[n.Length];
                for (int i = 0; i < codes.Length; i++) codes[i] = double.IsNaN(n.Values[i]) ? -1 : index[n.Values[i]];
                var fv = new FactorValues { Factor = f, Codes = codes, Missing = Mask(n), Columns = n.Name };
                fv.Levels = values.Select(n.LevelName).ToArray();
                return fv;
            }
            case FactorKind.Transform:
            {
                var n = Numeric(frame, f, f.Column!, $"{f.Function}()");
                var v = new double[n.Length];
                var fv = new FactorValues { Factor = f, Values = v, Missing = Mask(n), Columns = n.Name };
                Func<double, double> k = f.Function switch
                {
                    "log10" => Math.Log10,
                    "log2" => Math.Log2,
                    "square" => x => x * x,
                    "center" or "standardize" or "scale" => x => x,
                    var name => ((Ops.ElementwiseFunction)Ops.Functions.ByName[name!]).Kernel,
                };
                for (int i = 0; i < v.Length; i++)
                {
                    double x = n.Values[i];
                    if (double.IsNaN(x)) { v[i] = double.NaN; continue; }
                    v[i] = k(x);
                    if (!double.IsFinite(v[i]) && fv.Undefined is null) fv.Undefined = (i, $"{n.Name} = {x.ToString("G6", CultureInfo.InvariantCulture)}");
                }
                return fv;
            }
            default:
                return Arithmetic(frame, f);
        }
    }

    private static bool[] Mask(FrameColumn c)
    {
        var m = new bool[c.Length];
        for (int i = 0; i < m.Length; i++) m[i] = c.IsMissing(i);
        return m;
    }

    private static FactorValues Categorical(FormulaFactor f, TextColumn t)
    {
        var fv = new FactorValues { Factor = f, Codes = t.Codes, Missing = Mask(t), Columns = t.Name };
        fv.Levels = t.Levels;
        return fv;
    }

    /// <summary>The level name of each code of a categorical factor on a frame (as first evaluated).</summary>
    private static string[] LevelNames(Frame frame, FactorValues fv) => fv.Levels;

    /// <summary>Sorts a categorical's levels (those in the rows used), puts the reference first, and maps the codes.</summary>
    private static void OrderLevels(Frame frame, FactorValues fv, int[] kept, string formulaText)
    {
        var present = new bool[fv.Levels.Length];
        foreach (int r in kept) present[fv.Codes![r]] = true;
        var names = fv.Levels;
        var order = Enumerable.Range(0, names.Length).Where(l => present[l]).ToList();
        var col = frame.Find(fv.Columns);
        if (col is NumberColumn) { } // already in numeric order
        else if (col is TextColumn { IsBoolean: true }) { }
        else order.Sort((a, b) => string.CompareOrdinal(names[a], names[b]));
        if (fv.Factor.Reference is { } reference)
        {
            int at = order.FindIndex(l => names[l] == reference);
            if (at < 0 && col is NumberColumn && double.TryParse(reference, NumberStyles.Float, CultureInfo.InvariantCulture, out double rv))
                at = order.FindIndex(l => double.TryParse(names[l], NumberStyles.Float, CultureInfo.InvariantCulture, out double lv) && lv == rv);
            if (at < 0)
                throw At(fv.Factor, $"the reference level '{reference}' is not a level of {fv.Columns} in the rows used; its levels are: {string.Join(", ", order.Select(l => names[l]))}");
            int refLevel = order[at];
            order.RemoveAt(at);
            order.Insert(0, refLevel);
        }
        var levelOf = new int[names.Length];
        Array.Fill(levelOf, -1);
        for (int i = 0; i < order.Count; i++) levelOf[order[i]] = i;
        fv.Levels = order.Select(l => names[l]).ToArray();
        fv.LevelOf = levelOf;
    }

    private static void Standardise(FactorValues fv, int[] kept)
    {
        var v = fv.Values!;
        double mean = 0;
        foreach (int r in kept) mean += v[r];
        mean /= kept.Length;
        double ss = 0;
        foreach (int r in kept) ss += (v[r] - mean) * (v[r] - mean);
        // patsy's standardize divides by the standard deviation with ddof 0; R's scale by the one with ddof 1
        double scale = fv.Factor.Function switch
        {
            "standardize" => Math.Sqrt(ss / kept.Length),
            "scale" => Math.Sqrt(ss / Math.Max(1, kept.Length - 1)),
            _ => 1,
        };
        if (!(scale > 0)) throw At(fv.Factor, $"{fv.Factor.Name}: the column is constant in the rows used, so it cannot be standardised");
        for (int i = 0; i < v.Length; i++) v[i] = (v[i] - mean) / scale;
        fv.Standardisation = (mean, scale);
    }

    /// <summary>I(…): the expression in Nabla's language, the columns as scalars, evaluated entry by entry over the rows.</summary>
    private static FactorValues Arithmetic(Frame frame, FormulaFactor f)
    {
        string code = f.Code!.Replace("**", "^");
        var declarations = new Dictionary<string, VarType>(StringComparer.Ordinal);
        foreach (var c in frame.Columns)
            if (c is NumberColumn && Formula.Quote(c.Name) == c.Name) declarations[c.Name] = VarType.Scalar;
        BoundExpression bound;
        try
        {
            bound = Binder.Bind(code, new BindOptions { Declarations = declarations, PreferScalar = true });
        }
        catch (NablaException e)
        {
            int inner = f.Span.Start + 2;
            var s = e.Diagnostic.Span;
            throw Formula.Error($"in {f.Name}: {e.Diagnostic.Message}", s is { } sp ? inner + sp.Start : f.Span.Start, s?.Length ?? f.Span.Length);
        }
        var vars = bound.Variables.Select(v => v.Name).ToList();
        foreach (var name in vars)
        {
            if (frame.Find(name) is null) ColumnOf(frame, f, name);
            Numeric(frame, f, name, f.Name);
        }
        if (bound.Root.Shape.Kind != ShapeKind.Scalar) throw At(f, $"{f.Name} must be a number per row; the columns are scalars in I(…)");
        int n = frame.Rows;
        var missing = new bool[n];
        foreach (var name in vars)
        {
            var col = (NumberColumn)frame[name];
            for (int i = 0; i < n; i++) missing[i] |= double.IsNaN(col.Values[i]);
        }
        var values = Vectorised(bound.Root, frame, f);
        var fv = new FactorValues { Factor = f, Values = values, Missing = missing, Columns = vars.Count == 0 ? f.Name : string.Join(", ", vars) };
        if (vars.Count == 0) throw At(f, $"{f.Name} names no column: a constant is not a term (the intercept is 1)");
        for (int i = 0; i < n; i++)
            if (!missing[i] && !double.IsFinite(values[i]))
            {
                fv.Undefined = (i, string.Join(", ", vars.Select(v => $"{v} = {((NumberColumn)frame[v]).Values[i].ToString("G6", CultureInfo.InvariantCulture)}")));
                break;
            }
        return fv;
    }

    /// <summary>A scalar expression evaluated for every row at once: one array per node.</summary>
    private static double[] Vectorised(Expr e, Frame frame, FormulaFactor f)
    {
        int n = frame.Rows;
        double[] Map(double[] a, Func<double, double> k) { var r = new double[n]; for (int i = 0; i < n; i++) r[i] = k(a[i]); return r; }
        double[] Zip(double[] a, double[] b, Func<double, double, double> k) { var r = new double[n]; for (int i = 0; i < n; i++) r[i] = k(a[i], b[i]); return r; }
        switch (e)
        {
            case Num c: { var r = new double[n]; Array.Fill(r, c.Value); return r; }
            case Var v: return ((NumberColumn)frame[v.Name]).Values;
            case Neg g: return Map(Vectorised(g.X, frame, f), x => -x);
            case Add a: return a.Terms.Select(t => Vectorised(t, frame, f)).Aggregate((x, y) => Zip(x, y, (p, q) => p + q));
            case Mul m: return m.Factors.Select(t => Vectorised(t, frame, f)).Aggregate((x, y) => Zip(x, y, (p, q) => p * q));
            case Div d: return Zip(Vectorised(d.X, frame, f), Vectorised(d.Divisor, frame, f), (p, q) => p / q);
            case Elementwise w: return Zip(Vectorised(w.Left, frame, f), Vectorised(w.Right, frame, f), w.Op == ElementwiseOp.Mul ? (p, q) => p * q : (p, q) => p / q);
            case Power p: return Zip(Vectorised(p.Base, frame, f), Vectorised(p.Exponent, frame, f), Math.Pow);
            case Call { Op: Ops.ElementwiseFunction ef } call: return Map(Vectorised(call.Arg, frame, f), ef.Kernel);
            default: throw At(f, $"{f.Name}: only arithmetic and element-wise functions of columns are allowed inside I(…)");
        }
    }

    /// <summary>
    /// patsy's coding: the terms grouped by their numeric factors (the group without any first), each group by
    /// degree; within a term, each categorical factor coded by treatment contrasts or in full, so that no column
    /// repeats what a lower-order term already spans. Returns whether there is an intercept, and the columns.
    /// </summary>
    private static (bool Intercept, List<DesignColumn> Columns) Code(List<FormulaTerm> terms, bool intercept, Dictionary<FormulaFactor, FactorValues> cache, int maxColumns, string formulaText)
    {
        var factorIndex = cache.Keys.Select((f, i) => (f, i)).ToDictionary(t => t.f, t => t.i);
        var all = new List<FormulaTerm>();
        if (intercept) all.Add(new FormulaTerm([]));
        foreach (var t in terms) if (!all.Contains(t)) all.Add(t);
        var buckets = new List<(HashSet<FormulaFactor> Numeric, List<FormulaTerm> Terms)>();
        foreach (var t in all)
        {
            var num = t.Factors.Where(f => !cache[f].IsCategorical).ToHashSet();
            var b = buckets.FindIndex(x => x.Numeric.SetEquals(num));
            if (b < 0) buckets.Add((num, [t])); else buckets[b].Terms.Add(t);
        }
        int none = buckets.FindIndex(b => b.Numeric.Count == 0);
        if (none > 0) { var b = buckets[none]; buckets.RemoveAt(none); buckets.Insert(0, b); }
        var columns = new List<DesignColumn>();
        bool hasIntercept = false;
        foreach (var (_, bucketTerms) in buckets)
        {
            var ordered = bucketTerms.OrderBy(t => t.Factors.Count).ToList(); // stable, as Python's sort
            var usedSubterms = new HashSet<string>(StringComparer.Ordinal);
            foreach (var term in ordered)
            {
                var cats = term.Factors.Where(f => cache[f].IsCategorical).ToList();
                // every subset of the categorical factors (by size, then position) not yet spanned, coded reduced (-)
                var subterms = new List<List<(FormulaFactor F, bool Full)>>();
                foreach (var subset in SubsetsSorted(cats))
                {
                    string key = string.Join("\u0001", subset.Select(f => f.Name).Order(StringComparer.Ordinal));
                    if (usedSubterms.Add(key)) subterms.Add(subset.Select(f => (f, false)).ToList());
                }
                Simplify(subterms);
                foreach (var sub in subterms)
                {
                    // the term's factors in their order: numeric ones in every subterm, categorical ones where the subterm has them
                    var coding = sub.ToDictionary(s => s.F, s => s.Full);
                    var present = term.Factors.Select(f => !cache[f].IsCategorical || coding.ContainsKey(f)).ToArray();
                    var perFactor = term.Factors.Select((f, k) =>
                    {
                        var fv = cache[f];
                        if (!present[k]) return [];
                        if (!fv.IsCategorical) return new[] { (Name: f.Name, Level: -1) };
                        bool full = coding[f];
                        if (fv.Levels.Length < 2 && !full)
                            throw At(f, $"{f.Name} has a single level ('{fv.Levels.FirstOrDefault()}') in the rows used: it cannot be told apart from the intercept; leave it out");
                        return full
                            ? fv.Levels.Select((l, i) => (Name: $"{f.Name}[{l}]", Level: i)).ToArray()
                            : fv.Levels.Skip(1).Select((l, i) => (Name: $"{f.Name}[T.{l}]", Level: i + 1)).ToArray();
                    }).ToList();
                    long count = 1;
                    for (int k = 0; k < perFactor.Count; k++) if (present[k]) count *= perFactor[k].Length;
                    if (columns.Count + count > maxColumns)
                        throw Formula.Error($"the term {term} makes {count:N0} columns, more than the {maxColumns:N0} allowed; is one of its columns an identifier rather than a category?", 0, formulaText.Length);
                    if (count == 0) continue;
                    if (!present.Any(x => x)) { hasIntercept = true; continue; }
                    // first factor fastest, as patsy's _column_combinations
                    var idx = new int[perFactor.Count];
                    for (long c = 0; c < count; c++)
                    {
                        var names = new List<string>();
                        var numeric = new List<int>();
                        var indicators = new List<(int, int)>();
                        for (int k = 0; k < perFactor.Count; k++)
                        {
                            if (!present[k]) continue;
                            var (name, level) = perFactor[k][idx[k]];
                            names.Add(name);
                            if (level < 0) numeric.Add(factorIndex[term.Factors[k]]);
                            else indicators.Add((factorIndex[term.Factors[k]], level));
                        }
                        columns.Add(new DesignColumn(string.Join(":", names), [.. numeric], [.. indicators]));
                        for (int k = 0; k < perFactor.Count; k++)
                        {
                            if (!present[k]) continue;
                            if (++idx[k] < perFactor[k].Length) break;
                            idx[k] = 0;
                        }
                    }
                }
            }
        }
        return (hasIntercept, columns);
    }

    /// <summary>Subsets of the factors, by size, then in position order (patsy's _subsets_sorted).</summary>
    private static IEnumerable<List<FormulaFactor>> SubsetsSorted(List<FormulaFactor> factors)
    {
        int m = factors.Count;
        var subsets = new List<int[]>();
        for (int mask = 0; mask < 1 << m; mask++)
            subsets.Add(Enumerable.Range(0, m).Where(i => (mask & (1 << i)) != 0).ToArray());
        subsets.Sort((a, b) =>
        {
            if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return a[i].CompareTo(b[i]);
            return 0;
        });
        return subsets.Select(s => s.Select(i => factors[i]).ToList());
    }

    /// <summary>patsy's _simplify_subterms: a subterm and one with one more (reduced) factor merge into the larger with that factor coded in full.</summary>
    private static void Simplify(List<List<(FormulaFactor F, bool Full)>> subterms)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int s = 0; s < subterms.Count && !changed; s++)
                for (int l = s + 1; l < subterms.Count && !changed; l++)
                {
                    var shortT = subterms[s];
                    var longT = subterms[l];
                    if (longT.Count - shortT.Count != 1 || !shortT.All(longT.Contains)) continue;
                    var diff = longT.First(x => !shortT.Contains(x));
                    var merged = new List<(FormulaFactor, bool)>(shortT) { (diff.F, true) };
                    subterms[l] = merged;
                    subterms.RemoveAt(s);
                    changed = true;
                }
        }
    }
}
