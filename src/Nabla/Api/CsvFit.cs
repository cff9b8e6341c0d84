using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Optimization;
using Nabla.Semantics;

namespace Nabla;

/// <summary>What <see cref="CsvFit.Fit"/> binds and fits.</summary>
public sealed class FitOptions
{
    /// <summary>The column that becomes the vector <c>y</c> (or the formula's response).</summary>
    public string? Target { get; init; }

    /// <summary>A model formula (y ~ x1 + C(city)): its design binds <c>X</c> (with the Intercept column first when it has one), its response <c>y</c>; rows with missing values dropped.</summary>
    public string? Formula { get; init; }

    /// <summary>How the file is read for a formula (missing-value tokens, the policy).</summary>
    public FrameOptions? Frame { get; init; }

    /// <summary>The columns that become the matrix <c>X</c>, in order (all but the target when null).</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>A column of ones first in <c>X</c>.</summary>
    public bool Intercept { get; init; }

    /// <summary>The variables fitted (the rest are data, scalars from <see cref="Set"/>, or values from <see cref="At"/>).</summary>
    public required IReadOnlyList<string> Wrt { get; init; }

    /// <summary>Scalars by name (e.g. lambda = 0.1).</summary>
    public IReadOnlyDictionary<string, double> Set { get; init; } = new Dictionary<string, double>();

    /// <summary>Any other values by name, and starting values of fitted variables (zeros otherwise).</summary>
    public IReadOnlyDictionary<string, Tensor> At { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>How the objective is minimised: the method, iteration limit and tolerances.</summary>
    public MinimizeOptions Minimize { get; init; } = new();

    /// <summary>'.' (numbers as 1.5) or ',' (as 1,5).</summary>
    public char DecimalSeparator { get; init; } = '.';
}

/// <summary>A fit: the minimisation, and the names of X's columns (intercept first when there is one).</summary>
public sealed record FitResult(MinimizeResult Run, string Objective, IReadOnlyList<string> Columns, int Rows)
{
    /// <summary>Rows left out for missing values (formula fits).</summary>
    public int Dropped { get; init; }

    /// <summary>The design X came from, when it came through a formula (or a frame); else X is the feature columns.</summary>
    internal Models.Formulas.Design? Design { get; init; }

    /// <summary>The feature columns X came from (the --target/--features form) and whether a ones column leads.</summary>
    internal (IReadOnlyList<string> Features, bool Intercept)? Columns0 { get; init; }

    /// <summary>The names of a fitted variable's entries: X's columns for a vector with one entry per column, else null.</summary>
    public IReadOnlyList<string>? EntryNames(string variable) =>
        Run.Minimizer.TryGetValue(variable, out var t) && t.Kind == ShapeKind.Vector && t.Length == Columns.Count ? Columns : null;
}

/// <summary>
/// Any differentiable objective fitted to a CSV: the feature columns bind the matrix <c>X</c> (with a column of ones first
/// for an intercept), the target binds the vector <c>y</c>, scalars and other values are given by name, and the
/// variables named are fitted by <see cref="Objective.Minimize"/> (`nabla fit`).
/// </summary>
public static class CsvFit
{
    /// <summary>Fits the variables <see cref="FitOptions.Wrt"/> of <paramref name="objective"/> to the CSV (or Parquet) file at <paramref name="path"/>: reads the columns into X and y, binds the rest, and minimises.</summary>
    public static FitResult Fit(string objective, string path, FitOptions options)
    {
        foreach (var w in options.Wrt)
            if (w is "X" or "y")
                throw new NablaException(ErrorCodes.BadRequest, $"{w} is the data ({(w == "X" ? "the feature columns" : "the target column")}); fit a variable of your own, e.g. w");
        double[] design = [], target = [];
        int n = 0, p = 0;
        List<string> names = [];
        int dropped = 0;
        RowData? data = null;
        CsvSource.Columns? cols = null;
        // a formula, or a file the one-pass numeric reader refuses (a text column, a missing value): through a frame
        Models.Formulas.Design? usedDesign = null;
        (double[] X, double[] Y, int N, int P, List<string> Names, int Dropped) ByFrame(Models.Formulas.Formula formula, bool lowerIntercept)
        {
            var frameOptions = (options.Frame ?? new FrameOptions()) with { Decimal = options.DecimalSeparator };
            var frame = FrameReader.Read(path, frameOptions);
            var built = Models.Formulas.Design.Build(frame, formula, new Models.Formulas.DesignOptions { Missing = frameOptions.Missing });
            int pp = built.Width + (built.Intercept ? 1 : 0);
            var x = new double[(long)built.N * pp];
            Models.Formulas.FormulaModels.FillFull(built, 0, built.N, x);
            var nm = built.AllNames.Select(c => lowerIntercept && c == "Intercept" ? "intercept" : c).ToList();
            usedDesign = built;
            return (x, built.Y, built.N, pp, nm, built.Dropped);
        }
        if (options.Formula is not null)
            (design, target, n, p, names, dropped) = ByFrame(Models.Formulas.Formula.Parse(options.Formula), false);
        else
        {
            if (options.Target is null) throw new NablaException(ErrorCodes.BadRequest, "give the target column or a formula");
            try
            {
                (_, data, cols) = CsvSource.Read(path, options.Target, options.Features, keepAll: true, keepSmall: false, progress: null, options.DecimalSeparator, sums: false);
            }
            catch (CsvDataException e) when (e.Message.Contains(" is not a number") || e.Message.Contains(": the value is missing"))
            {
                (design, target, n, p, names, dropped) = ByFrame(Models.Formulas.Formula.FromColumns(options.Target, options.Features, options.Intercept), true);
            }
        }
        if (data is not null)
        {
            n = data.N;
            int d = data.D, off = options.Intercept ? 1 : 0;
            p = d + off;
            design = new double[(long)n * p];
            for (int i = 0; i < n; i++)
            {
                if (options.Intercept) design[(long)i * p] = 1;
                Array.Copy(data.X, (long)i * d, design, (long)i * p + off, d);
            }
            target = data.Y;
            names = (options.Intercept ? ["intercept"] : Array.Empty<string>()).Concat(cols!.FeatureNames).ToList();
        }
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["X"] = Tensor.Matrix(design, n, p),
            ["y"] = Tensor.Vector(target),
        };
        foreach (var (name, v) in options.Set) values[name] = Tensor.Scalar(v);
        foreach (var (name, v) in options.At) values[name] = v;
        var declarations = new Dictionary<string, VarType> { ["X"] = new(VarKind.Matrix), ["y"] = new(VarKind.Vector) };
        foreach (var name in options.Set.Keys) declarations[name] = VarType.Scalar;
        var bindOptions = new BindOptions
        {
            Declarations = declarations,
            ConcreteShapes = values.ToDictionary(kv => kv.Key, kv => ShapeOf(kv.Value)),
            PreferScalar = true,
        };
        var bound = Binder.Bind(objective, bindOptions);
        foreach (var w in options.Wrt)
            if (bound.Variable(w) is null)
                throw new NablaException(ErrorCodes.BadRequest, $"{w} is not a variable of {objective}");
        var start = new Dictionary<string, Tensor>(values);
        foreach (var v in bound.Variables)
        {
            if (start.ContainsKey(v.Name)) continue;
            if (!options.Wrt.Contains(v.Name))
                throw new NablaException(ErrorCodes.BadRequest, $"{v.Name} has no value: fit it (--wrt {v.Name}), or give it one (--set {v.Name}=… for a scalar, --at values.json)");
            if (!v.Shape.Dims.All(x => x.IsKnown))
                throw new NablaException(ErrorCodes.BadRequest, $"the data do not fix the size of {v.Name} ({v.Shape.Describe()}); give it a starting value with --at values.json");
            var s = v.Shape;
            start[v.Name] = Tensor.Zeros(s.Kind, s.Rows?.Size ?? 1, s.Cols?.Size ?? 1);
        }
        var f = new Objective(bound, bound.Root, bindOptions);
        var run = f.Minimize(options.Wrt, start, options.Minimize);
        return new FitResult(run, objective, names, n)
        {
            Dropped = dropped,
            Design = usedDesign,
            Columns0 = usedDesign is null ? (cols!.FeatureNames, options.Intercept) : null,
        };
    }

    /// <summary>
    /// The fitted model's prediction for each row of another file: <paramref name="response"/> (X*w by default, or
    /// e.g. sigmoid(X*w)) evaluated with X from that file's columns through the same coding, the fitted variables,
    /// and the scalars and values of the fit. One number per row; NaN for a row with a missing value.
    /// </summary>
    public static (double[] Values, Frame Frame) Predict(FitResult fit, FitOptions options, string path, string response = "X*w")
    {
        var frameOptions = (options.Frame ?? new FrameOptions()) with { Decimal = options.DecimalSeparator };
        var frame = FrameReader.Read(path, frameOptions);
        int n = frame.Rows, p = fit.Columns.Count;
        var x = new double[(long)n * p];
        var missing = new bool[n];
        if (fit.Design is { } design)
        {
            var (dx, dm) = design.Apply(frame);
            int k = design.Width, off = design.Intercept ? 1 : 0;
            for (int i = 0; i < n; i++)
            {
                missing[i] = dm[i];
                if (off == 1) x[(long)i * p] = 1;
                Array.Copy(dx, (long)i * k, x, (long)i * p + off, k);
            }
        }
        else
        {
            var (features, intercept) = fit.Columns0!.Value;
            int off = intercept ? 1 : 0;
            for (int j = 0; j < features.Count; j++)
            {
                if (frame[features[j]] is not NumberColumn col)
                    throw new CsvDataException($"the feature column '{features[j]}' of '{path}' holds text, but the model was fitted on numbers");
                for (int i = 0; i < n; i++)
                {
                    double v = col.Values[i];
                    if (double.IsNaN(v)) missing[i] = true; else x[(long)i * p + j + off] = v;
                }
            }
            if (intercept) for (int i = 0; i < n; i++) x[(long)i * p] = 1;
        }
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["X"] = Tensor.Matrix(x, n, p) };
        foreach (var (name, v) in options.Set) values[name] = Tensor.Scalar(v);
        foreach (var (name, v) in options.At) if (name is not ("X" or "y")) values[name] = v;
        foreach (var (name, v) in fit.Run.Minimizer) values[name] = v;
        var declarations = new Dictionary<string, VarType> { ["X"] = new(VarKind.Matrix) };
        foreach (var name in options.Set.Keys) declarations[name] = VarType.Scalar;
        var bound = Binder.Bind(response, new BindOptions
        {
            Declarations = declarations,
            ConcreteShapes = values.ToDictionary(kv => kv.Key, kv => ShapeOf(kv.Value)),
            PreferScalar = true,
        });
        foreach (var v in bound.Variables)
            if (!values.ContainsKey(v.Name))
                throw new NablaException(ErrorCodes.BadRequest, v.Name == "y"
                    ? $"the prediction {response} uses y, the target, which new data does not have"
                    : $"{v.Name} in the prediction {response} has no value: it is neither fitted nor given");
        var result = Numerics.Evaluator.Evaluate(bound.Root, values, bound.Variables);
        if (result.Kind != ShapeKind.Vector || result.Length != n)
            throw new NablaException(ErrorCodes.ShapeError, $"the prediction {response} must give one number per row ({n} rows); it gives a {result.Rows}×{result.Cols} value");
        var outv = result.Data.ToArray();
        for (int i = 0; i < n; i++) if (missing[i]) outv[i] = double.NaN;
        return (outv, frame);
    }

    private static Shape ShapeOf(Tensor t) => t.Kind switch
    {
        ShapeKind.Scalar => Shape.Scalar,
        ShapeKind.Vector => Shape.Vector(Dim.Of(t.Rows)),
        ShapeKind.Row => new Shape(null, Dim.Of(t.Cols)),
        _ => Shape.Matrix(Dim.Of(t.Rows), Dim.Of(t.Cols)),
    };
}
