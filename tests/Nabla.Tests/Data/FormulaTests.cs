using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.Models;
using Nabla.Models.Formulas;
using Nabla.Tests.Cli;

namespace Nabla.Tests.Data;

/// <summary>
/// The formula language and the frame behind it: every formula error with its place, every missing-value and
/// column message word for word, the identities of the notation (a*b = a + b + a:b, …) on random data, predictions
/// through the training coding, Parquet in and out, and the command lines (regress, glm, fit) with their plots.
/// </summary>
public class FormulaTests
{
    private static Frame Houses => FormulaFixtureTests.FrameOf("houses.csv");
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "fixtures", name);

    private static Frame Csv(string text, FrameOptions? options = null) =>
        FrameReader.ReadCsv(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), "t.csv", options);

    [Theory]
    [InlineData("", "the formula is empty; write it as y ~ x1 + x2", 0, 1)]
    [InlineData("price sqft", "a formula needs '~' between the response and the terms, as in y ~ x1 + x2", 0, 10)]
    [InlineData("price ~", "nothing after '~': write the terms, as in y ~ x1 + x2 (or y ~ 1 for the mean alone)", 6, 1)]
    [InlineData("price ~ (sqft + beds", "this '(' is not closed", 8, 1)]
    [InlineData("price ~ sqft + )", "this ')' has no '(' before it", 15, 1)]
    [InlineData("price ~ sqft + 2", "the number 2 is not a term: only 1 (the intercept) and 0 (no intercept) are; for a constant column write I(2)", 15, 1)]
    [InlineData("price ~ (sqft + beds)**0", "'**' takes a whole number of at least 1, as in (a + b)**2", 23, 1)]
    [InlineData("price ~ sqft + $", "unexpected '$': a term is a column name, a function of one (C(x), I(x^2), log(x)), 1 or 0", 15, 1)]
    [InlineData("price ~ C(city, Sum)", "'Sum': the only coding is Treatment, as in Treatment(reference='Paris') (the reference level is left out)", 16, 3)]
    [InlineData("price ~ C()", "C() takes a column and optionally Treatment(reference=…), as in C(city) or C(city, Treatment(reference='Paris'))", 8, 3)]
    [InlineData("price ~ I()", "I() is empty: write arithmetic on columns, as in I(x^2)", 8, 3)]
    [InlineData("price ~ log(sqft, 2)", "log() takes one column; for arithmetic write it inside I(…), as in I(log(x + 1))", 8, 12)]
    [InlineData("price ~ log(sqft + 1)", "'sqft + 1' is not a column name; for arithmetic write it inside I(…)", 12, 8)]
    [InlineData("price ~ . : sqft", "'.' (every other column) cannot be in an interaction; list the columns", 8, 1)]
    [InlineData("price + beds ~ sqft", "the left of '~' is one response: a column, or a transform of one such as log(y)", 0, 13)]
    public void A_malformed_formula_is_refused_with_the_place(string formula, string message, int start, int length)
    {
        var e = Assert.Throws<NablaException>(() => Formula.Parse(formula));
        Assert.Equal(ErrorCodes.FormulaError, e.Diagnostic.Code);
        Assert.Equal(message, e.Diagnostic.Message);
        Assert.Equal(new TextSpan(start, start + length), e.Diagnostic.Span);
    }

    [Fact]
    public void An_unknown_function_lists_the_ones_there_are()
    {
        var e = Assert.Throws<NablaException>(() => Formula.Parse("price ~ lg(sqft)"));
        Assert.StartsWith("unknown function 'lg' in a formula: use C(x) (categorical), I(…) (arithmetic), Q('name'), or one of exp, log, ", e.Diagnostic.Message);
        Assert.EndsWith(", log10, log2, square, center, standardize, scale (np. in front is allowed)", e.Diagnostic.Message);
    }

    [Theory]
    [InlineData("price ~ sqft + citty", "there is no column 'citty' in 't.csv' (did you mean 'city'?); its columns are: price, sqft, city, note, mixed, comma")]
    [InlineData("price ~ log(city)", "log() needs numbers, but column 'city' holds text (e.g. 'Paris'); a text column is categorical: write city or C(city) alone")]
    [InlineData("price ~ mixed", "column 'mixed' mixes numbers and text: row 3 has 'abc'; fix the value, mark it as missing (--na 'abc'), or write C(mixed) to treat every value as a label")]
    [InlineData("price ~ comma", "column 'comma' holds numbers written with a decimal comma ('1,5'); give --decimal , (or C(comma) to treat them as labels)")]
    [InlineData("price ~ C(city, Treatment(reference='Pariss'))", "the reference level 'Pariss' is not a level of city in the rows used; its levels are: Lyon, Paris")]
    [InlineData("price ~ C(note)", "C(note) has a single level ('x') in the rows used: it cannot be told apart from the intercept; leave it out")]
    [InlineData("city ~ sqft", "the response city must be numeric, but 'city' holds text (e.g. 'Paris')")]
    [InlineData("price ~ I(sqft + zzz)", "there is no column 'zzz' in 't.csv'; its columns are: price, sqft, city, note, mixed, comma")]
    public void A_formula_that_does_not_fit_the_data_says_why(string formula, string message)
    {
        var frame = Csv("price,sqft,city,note,mixed,comma\n1,2,Paris,x,1,\"1,5\"\n2,3,Lyon,x,2,\"2,5\"\n3,5,Paris,x,abc,\"3,5\"\n4,4,Lyon,x,4,\"4,5\"\n");
        var e = Assert.ThrowsAny<Exception>(() => Design.Build(frame, Formula.Parse(formula)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Missing_values_are_dropped_and_counted_or_refused_where_they_are()
    {
        var text = "y,x,g\n1,1,a\n2,,b\n3,NA,a\nNaN,4,b\n5,5,null\n6,6,a\n7,8,b\n";
        var d = Design.Build(Csv(text), Formula.Parse("y ~ x + g"));
        Assert.Equal(3, d.N);
        Assert.Equal(4, d.Dropped);
        Assert.Equal("n = 3 (4 rows dropped: missing values)", d.RowsText);
        var e = Assert.Throws<CsvDataException>(() => Design.Build(Csv(text), Formula.Parse("y ~ x + g"), new DesignOptions { Missing = MissingPolicy.Error }));
        Assert.Equal("row 2 (line 3), column 'x': the value is missing (--missing drop leaves such rows out)", e.Message);
        // a column the formula does not use does not drop rows
        Assert.Equal(5, Design.Build(Csv(text), Formula.Parse("y ~ g")).N);
        // the tokens are configurable: here -999 is missing and NA a level
        var custom = Csv("y,x,g\n1,1,NA\n2,-999,b\n3,3,NA\n4,4,b\n", new FrameOptions { MissingTokens = ["-999"] });
        var c = Design.Build(custom, Formula.Parse("y ~ x + g"));
        Assert.Equal((3, 1), (c.N, c.Dropped));
        Assert.Equal(["g[T.b]", "x"], c.ColumnNames);
        var all = Assert.Throws<CsvDataException>(() => Design.Build(Csv("y,x\n1,\nNA,2\n"), Formula.Parse("y ~ x")));
        Assert.Equal("every row of 't.csv' has a missing value in a column the formula uses (column 'y'; column 'x')", all.Message);
        var domain = Assert.Throws<CsvDataException>(() => Design.Build(Csv("y,x\n1,1\n2,0\n3,2\n"), Formula.Parse("y ~ log(x)")));
        Assert.Equal("row 2 (line 3): log(x) is undefined at x = 0; leave such rows out, or transform differently", domain.Message);
        var weight = Assert.Throws<CsvDataException>(() => Design.Build(Csv("y,x,w\n1,1,1\n2,0,-1\n3,2,1\n"), Formula.Parse("y ~ x"), new DesignOptions { Weights = "w" }));
        Assert.Equal("row 2 (line 3), column 'w': the weight -1 is not positive; weights must be > 0", weight.Message);
    }

    [Fact]
    public void The_mean_alone_and_nothing_at_all()
    {
        var frame = FormulaFixtureTests.FrameOf("small.csv");
        var (mean, _) = FormulaModels.Regress(frame, Formula.Parse("price ~ 1"));
        Assert.Equal(["Intercept"], mean.Table.Select(t => t.Name));
        Assert.Equal(((NumberColumn)frame["price"]).Values.Average(), mean.Intercept, 1e-9);
        Assert.Equal(0, mean.RSquared);
        Assert.True(double.IsNaN(mean.FStatistic));
        var e = Assert.Throws<NablaException>(() => FormulaModels.Regress(frame, Formula.Parse("price ~ 0")));
        Assert.Equal("the formula has no terms and no intercept: there is nothing to fit (y ~ 1 fits the mean)", e.Diagnostic.Message);
    }

    [Fact]
    public void Weights_and_robust_errors_refuse_what_they_cannot_do()
    {
        var frame = Csv("y,x,z,w,g,t\n1,1,2,1.5,a,p\n2,2,4,1,a,q\n4,3,6,2,a,p\n3,4,8,1,a,q\n6,5,10,2.5,a,p\n");
        string Err(Action a) => Assert.ThrowsAny<Exception>(a).Message;
        Assert.Equal("frequency weights count rows: they must be whole numbers (for other weights use --weights)",
            Err(() => FormulaModels.FitGlm(Csv("y,x,w\n1,1,1.5\n0,2,1\n1,3,2\n0,4,1\n1,0,1\n0,5,2\n"), Formula.Parse("y ~ x"), new GlmOptions { Family = Family.Binomial, FrequencyWeights = true }, new DesignOptions { Weights = "w" })));
        Assert.Equal("cluster-robust errors need at least 2 clusters; 'g' has 1 in the rows used",
            Err(() => FormulaModels.Regress(frame, Formula.Parse("y ~ x"), null, null, CovarianceOptions.Parse("cluster:g"))));
        Assert.Equal("robust standard errors need independent columns; these are dependent: z = 2*x",
            Err(() => FormulaModels.Regress(frame, Formula.Parse("y ~ x + z"), null, null, CovarianceOptions.Parse("HC1"))));
        Assert.Equal("the weights column 't' must hold numbers",
            Err(() => FormulaModels.Regress(frame, Formula.Parse("y ~ x"), null, new DesignOptions { Weights = "t" })));
        Assert.Equal("weighted least squares is solved by the normal equations: use --solver auto or normal with --weights",
            Err(() => FormulaModels.Regress(frame, Formula.Parse("y ~ x"), new RegressionOptions { Solver = Solver.Qr }, new DesignOptions { Weights = "w" })));
        Assert.Equal("robust standard errors are not defined for the ridge estimator here: leave out --ridge or --cov",
            Err(() => FormulaModels.Regress(frame, Formula.Parse("y ~ x"), new RegressionOptions { Ridge = 1 }, null, CovarianceOptions.Parse("HC0"))));
        var (rc, _, e) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft", "--predict", "-");
        Assert.Equal(2, rc);
        Assert.Equal("nabla regress: --predict reads a file, not standard input\n", e.Replace("\r", ""));
    }

    [Fact]
    public void Too_many_levels_is_refused_before_the_columns_are_made()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 60).Select(i => $"{i},id{i}"));
        var e = Assert.Throws<NablaException>(() => Design.Build(Csv("y,id\n" + rows + "\n"), Formula.Parse("y ~ id"), new DesignOptions { MaxColumns = 50 }));
        Assert.Equal("the term id makes 59 columns, more than the 50 allowed; is one of its columns an identifier rather than a category?", e.Diagnostic.Message);
    }

    /// <summary>Identities of the notation: both sides span the same columns, so the fitted values agree (on random data, with categories).</summary>
    [Theory]
    [InlineData("y ~ a*b", "y ~ a + b + a:b")]
    [InlineData("y ~ (a + b + g)**2", "y ~ a + b + g + a:b + a:g + b:g")]
    [InlineData("y ~ a/g", "y ~ a + a:g")]
    [InlineData("y ~ g*h", "y ~ h + g + g:h")]
    [InlineData("y ~ C(g):a", "y ~ C(g):a + 1")]
    [InlineData("y ~ a + b - b", "y ~ a")]
    [InlineData("y ~ 0 + g + a", "y ~ g + a")]
    [InlineData("y ~ I(a^2) + a", "y ~ I(a**2) + a")]
    [InlineData("y ~ . - h", "y ~ a + b + c + g")]
    [InlineData("y ~ center(a) + standardize(b)", "y ~ a + b")]
    [InlineData("y ~ np.log(c) + g", "y ~ log(c) + C(g)")]
    public void Equivalent_formulas_give_the_same_fit(string left, string right)
    {
        var rng = new Random(7);
        var sb = new System.Text.StringBuilder("y,a,b,c,g,h\n");
        for (int i = 0; i < 80; i++)
        {
            double a = rng.NextDouble() * 4 - 2, b = rng.NextDouble(), c = 0.5 + rng.NextDouble();
            string g = "pqr"[rng.Next(3)].ToString(), h = "uv"[rng.Next(2)].ToString();
            double y = 1 + a - 2 * b + a * b + (g == "q" ? 1 : 0) + rng.NextDouble();
            sb.Append(System.FormattableString.Invariant($"{y},{a},{b},{c},{g},{h}\n"));
        }
        var frame = Csv(sb.ToString());
        var (l, _) = FormulaModels.Regress(frame, Formula.Parse(left));
        var (r, _) = FormulaModels.Regress(frame, Formula.Parse(right));
        Assert.Equal(r.Rank, l.Rank);
        Assert.Equal(r.ResidualSumOfSquares, l.ResidualSumOfSquares, 1e-9 * Math.Max(1, r.ResidualSumOfSquares));
    }

    [Fact]
    public void Predictions_use_the_training_coding_and_name_an_unseen_level()
    {
        var (fit, design) = FormulaModels.Regress(Houses, Formula.Parse("price ~ sqft + C(city) + standardize(age)"));
        var again = FormulaModels.Predict(fit, design, Houses);
        // on the training rows the prediction is the fitted value
        var x = design.Matrix();
        for (int i = 0; i < 5; i++)
        {
            int row = design.Rows[i];
            double want = fit.Intercept + Enumerable.Range(0, design.Width).Sum(j => x[i * design.Width + j] * fit.Coefficients[j]);
            Assert.Equal(want, again[row], 1e-9 * Math.Abs(want));
        }
        Assert.Contains(again, double.IsNaN); // rows with a missing value get none
        var fresh = Csv("sqft,city,age\n100,Paris,30\n120,Lyon,40\n");
        var p = FormulaModels.Predict(fit, design, fresh);
        Assert.All(p, v => Assert.True(double.IsFinite(v)));
        var e = Assert.Throws<CsvDataException>(() => FormulaModels.Predict(fit, design, Csv("sqft,city,age\n100,Nice,30\n")));
        Assert.Equal("row 1 (line 2): C(city) is 'Nice', a level not seen in the training data (its levels: Lyon, Marseille, Paris, Toulouse)", e.Message);
    }

    [Fact]
    public void Parquet_round_trips_numbers_text_booleans_and_missing_values()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nabla-{Guid.NewGuid():N}.parquet");
        try
        {
            using (var s = File.Create(path)) ParquetFrames.Write(Houses, [("extra", Enumerable.Range(0, Houses.Rows).Select(i => i % 7 == 0 ? double.NaN : i * 0.5).ToArray())], s);
            var back = FrameReader.Read(path);
            Assert.Equal(Houses.Columns.Select(c => c.Name).Append("extra"), back.Columns.Select(c => c.Name));
            Assert.Equal(Houses.Rows, back.Rows);
            Assert.True(back["garden"] is TextColumn { IsBoolean: true });
            Assert.Equal(Houses["city"].MissingCount, back["city"].MissingCount);
            var (a, _) = FormulaModels.Regress(Houses, Formula.Parse("price ~ sqft + city + garden"));
            var (b, _) = FormulaModels.Regress(back, Formula.Parse("price ~ sqft + city + garden"));
            Assert.Equal(a.Table.Select(t => t.Name), b.Table.Select(t => t.Name));
            Assert.Equal(a.Coefficients, b.Coefficients);
            Assert.Equal(Houses["age"].MissingCount, back["age"].MissingCount);
        }
        finally { File.Delete(path); }
        var bad = Path.Combine(Path.GetTempPath(), $"nabla-{Guid.NewGuid():N}.parquet");
        File.WriteAllText(bad, "not parquet at all");
        try
        {
            var e = Assert.Throws<CsvDataException>(() => FrameReader.Read(bad));
            Assert.StartsWith($"the file '{bad}' cannot be read as Parquet: ", e.Message);
        }
        finally { File.Delete(bad); }
    }

    [Fact]
    public async Task A_Parquet_column_of_another_type_is_named_not_skipped()
    {
        var dates = Path.Combine(Path.GetTempPath(), $"nabla-{Guid.NewGuid():N}.parquet");
        try
        {
            var field = new Parquet.Schema.DataField<DateTime>("when");
            await using (var st = File.Create(dates))
            {
                await using var writer = await Parquet.ParquetWriter.CreateAsync(new Parquet.Schema.ParquetSchema(field), st);
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync<DateTime>(field, new[] { DateTime.UnixEpoch, DateTime.UnixEpoch }.AsMemory());
            }
            var e = Assert.Throws<CsvDataException>(() => FrameReader.Read(dates));
            Assert.StartsWith("the Parquet column 'when' holds DateTime values; Nabla reads numbers, booleans and text", e.Message);
        }
        finally { File.Delete(dates); }
    }

    [Fact]
    public void Regress_takes_a_formula_and_says_what_it_dropped()
    {
        var (rc, o, e) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft + beds + C(city)", "--cov", "HC1");
        Assert.True(rc == 0, e);
        var lines = o.Replace("\r", "").Split('\n');
        Assert.Equal("OLS regression: price ~ sqft + beds + C(city)", lines[0]);
        Assert.StartsWith("  n = 291 (9 rows dropped: missing values)   columns = 5 + intercept   rank = 6 of 6 columns", lines[1]);
        Assert.Equal("  covariance: HC1 (heteroscedasticity-robust; z tests)", lines[2]);
        Assert.Contains(lines, l => l.StartsWith("C(city)[T.Paris]"));
        Assert.Contains(lines, l => l.Contains("P>|z|"));
        var (rc2, j, _) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft + C(city)", "--json", "--cov", "cluster:firm", "--weights", "w");
        Assert.Equal(0, rc2);
        var json = System.Text.Json.Nodes.JsonNode.Parse(j)!.AsObject();
        Assert.Equal("price ~ sqft + C(city)", (string)json["formula"]!);
        Assert.Equal(9, (int)json["n_dropped"]!);
        Assert.Equal("cluster", (string)json["cov_type"]!);
        Assert.Equal(20, (int)json["n_clusters"]!);
        Assert.Equal("w", (string)json["weights"]!);
        Assert.NotNull(json["z_values"]);
    }

    [Fact]
    public void The_target_and_features_form_reads_text_and_missing_values_too()
    {
        // the one-pass reader stops at 'Paris' and the empty cells; regress then reads the file as a frame
        var (rc, o, e) = CliRunner.Run("regress", Fixture("small.csv"), "--target", "price", "--features", "sqft,city");
        Assert.True(rc == 0, e);
        Assert.Contains("city[T.Paris]", o);
        Assert.Contains("(intercept)", o);
        var (rc2, _, e2) = CliRunner.Run("regress", Fixture("houses.csv"), "--target", "price", "--features", "sqft,age", "--missing", "error");
        Assert.Equal(1, rc2);
        Assert.Matches(@"^error: row \d+ \(line \d+\), column '(price|sqft|age)': the value is missing", e2);
    }

    [Fact]
    public void Formula_errors_on_the_command_line_point_at_the_place()
    {
        var (rc, _, e) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft + citty");
        Assert.Equal(1, rc);
        Assert.Equal("error[formula_error]: there is no column 'citty' in '" + Fixture("houses.csv") + "' (did you mean 'city'?); its columns are: price, sqft, beds, city, garden, firm, w, age\n" +
            "  price ~ sqft + citty\n" +
            "                 ^^^^^\n", e.Replace("\r", ""));
        var (rc2, _, e2) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft", "--target", "price");
        Assert.Equal(2, rc2);
        Assert.Equal("nabla regress: a formula names the response and the terms itself; leave out --target, --features and --no-intercept (write - 1 in the formula for no intercept)\n", e2.Replace("\r", ""));
        var (rc3, _, e3) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft", "--cov", "HC9");
        Assert.Equal(2, rc3);
        Assert.Equal("nabla regress: --cov takes nonrobust, HC0, HC1, HC2, HC3 or cluster:column, not 'HC9'\n", e3.Replace("\r", ""));
        var (rc4, _, e4) = CliRunner.Run("glm", Fixture("events.csv"), "bought ~ x1", "--family", "binomial", "--cov", "HC3");
        Assert.Equal(1, rc4);
        Assert.Equal("error: HC3 is defined here for least squares only; for a GLM use --cov HC0, HC1 or cluster:column (statsmodels' GLM silently answers HC2 and HC3 with HC0)\n", e4.Replace("\r", ""));
        var (rc6, _, e6) = CliRunner.Run("glm", Fixture("events_w.csv"), "visits ~ x1", "--family", "poisson", "--weights", "w", "--freq-weights", "w");
        Assert.Equal(2, rc6);
        Assert.Equal("nabla glm: give --weights (analytic) or --freq-weights (counts of rows), not both\n", e6.Replace("\r", ""));
        var (rc7, _, e7) = CliRunner.Run("glm", Fixture("events_w.csv"), "visits ~ x1", "--family", "gaussian", "--weights", "w");
        Assert.Equal(1, rc7);
        Assert.Equal("error: weights for the Gaussian family are weighted least squares: use nabla regress --weights\n", e7.Replace("\r", ""));
        var (rc8, _, e8) = CliRunner.Run("glm", Fixture("events_w.csv"), "visits ~ x1", "--family", "poisson", "--freq-weights", "x2");
        Assert.Equal(1, rc8);
        Assert.StartsWith("error: ", e8);
        var (rc5, _, e5) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft", "--cov", "cluster:");
        Assert.Equal(2, rc5);
        Assert.Equal("nabla regress: --cov cluster:: name the column that groups the rows, as in --cov cluster:firm\n", e5.Replace("\r", ""));
    }

    [Fact]
    public void Glm_and_fit_take_formulas_and_predictions_go_to_csv_or_parquet()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"nabla-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string csv = Path.Combine(dir, "p.csv"), pq = Path.Combine(dir, "p.parquet");
            var (rc, o, e) = CliRunner.Run("glm", Fixture("events.csv"), "bought ~ x1 + x2 + C(grp)", "--family", "binomial", "--predict", Fixture("events.csv"), "--output", csv);
            Assert.True(rc == 0, e);
            Assert.Contains("n = 390 (10 rows dropped: missing values)", o);
            var lines = File.ReadAllLines(csv);
            Assert.Equal(401, lines.Length);
            Assert.EndsWith(",prediction", lines[0]);
            Assert.Contains(lines.Skip(1), l => l.EndsWith(',')); // a row with a missing value: no prediction
            Assert.All(lines.Skip(1).Where(l => !l.EndsWith(',')), l => Assert.InRange(double.Parse(l[(l.LastIndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 0, 1));
            var (rc2, _, e2) = CliRunner.Run("glm", Fixture("events.csv"), "visits ~ x1 + grp", "--family", "poisson", "--predict", Fixture("events.csv"), "--output", pq);
            Assert.True(rc2 == 0, e2);
            var back = FrameReader.Read(pq);
            Assert.Equal("prediction", back.Columns[^1].Name);
            Assert.Equal(7, back.Columns[^1].MissingCount); // rows missing x1 or grp (x2 is not used)
            var (rc3, o3, e3) = CliRunner.Run("fit", "sum(softplus(X*w)) - y'*(X*w)", "--data", Fixture("events.csv"), "--formula", "bought ~ x1 + x2 + C(grp)", "--wrt", "w", "--json");
            Assert.True(rc3 == 0, e3);
            var fit = System.Text.Json.Nodes.JsonNode.Parse(o3)!.AsObject();
            var (_, g, _) = CliRunner.Run("glm", Fixture("events.csv"), "bought ~ x1 + x2 + C(grp)", "--family", "binomial", "--json");
            var glm = System.Text.Json.Nodes.JsonNode.Parse(g)!["coefficients"]!.AsObject();
            var w = fit["parameters"]!["w"]!.AsObject();
            Assert.Equal(glm.Select(kv => kv.Key), w.Select(kv => kv.Key));
            foreach (var (k, v) in glm) Assert.Equal((double)v!, (double)w[k]!, 1e-6);
            Assert.Equal(10, (int)fit["rows_dropped"]!);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Fit_predicts_any_response_of_the_fitted_variables()
    {
        // a logistic loss fitted by fit, predicted as probabilities: glm's predictions to 1e-6
        var (rc, o, e) = CliRunner.Run("fit", "sum(softplus(X*w)) - y'*(X*w)", "--data", Fixture("events.csv"), "--formula", "bought ~ x1 + x2 + C(grp)", "--wrt", "w",
            "--predict", Fixture("events.csv"), "--response", "sigmoid(X*w)");
        Assert.True(rc == 0, e);
        Assert.Contains("fit: sum(softplus(X*w)) - y'*(X*w)", e); // the summary goes to standard error when the predictions go to standard output
        var (_, g, _) = CliRunner.Run("glm", Fixture("events.csv"), "bought ~ x1 + x2 + C(grp)", "--family", "binomial", "--predict", Fixture("events.csv"));
        var fitLines = o.Replace("\r", "").Trim().Split('\n');
        var glmLines = g.Replace("\r", "").Trim().Split('\n');
        Assert.Equal(glmLines.Length, fitLines.Length);
        for (int i = 1; i < fitLines.Length; i++)
        {
            string a = fitLines[i][(fitLines[i].LastIndexOf(',') + 1)..], b = glmLines[i][(glmLines[i].LastIndexOf(',') + 1)..];
            if (b.Length == 0) { Assert.Equal("", a); continue; }
            Assert.Equal(double.Parse(b, System.Globalization.CultureInfo.InvariantCulture), double.Parse(a, System.Globalization.CultureInfo.InvariantCulture), 1e-6);
        }
        var (rc2, _, e2) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--data", Fixture("small.csv"), "--formula", "price ~ sqft", "--wrt", "w", "--predict", Fixture("small.csv"), "--response", "X*w - y");
        Assert.Equal(1, rc2);
        Assert.Contains("the prediction X*w - y uses y, the target, which new data does not have", e2);
        var (rc3, _, e3) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--data", Fixture("small.csv"), "--formula", "price ~ sqft", "--wrt", "w", "--predict", Fixture("small.csv"), "--response", "w'*w");
        Assert.Equal(1, rc3);
        Assert.Contains("the prediction w'*w must give one number per row (60 rows); it gives a 1×1 value", e3);
        var (rc4, _, e4) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--data", Fixture("small.csv"), "--formula", "price ~ sqft", "--wrt", "w", "--output", "/tmp/x.csv");
        Assert.Equal(2, rc4);
        Assert.Equal("nabla fit: --output needs --predict: the file to predict for\n", e4.Replace("\r", ""));
    }

    [Fact]
    public void The_plots_are_pngs_of_the_expected_size_and_not_blank()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"nabla-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string diag = Path.Combine(dir, "d.png"), loss = Path.Combine(dir, "l.png");
            var (rc, o, e) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft + C(city)", "--plot", diag);
            Assert.True(rc == 0, e);
            Assert.Contains($"wrote the diagnostic plots to {diag}", o);
            AssertPlot(diag, 3 * Nabla.Cli.Plots.PanelWidth, Nabla.Cli.Plots.PanelHeight);
            var (rc2, _, e2) = CliRunner.Run("fit", "norm2(X*w - y)^2", "--data", Fixture("small.csv"), "--formula", "price ~ sqft + beds", "--wrt", "w", "--plot", loss);
            Assert.True(rc2 == 0, e2);
            AssertPlot(loss, 2 * Nabla.Cli.Plots.PanelWidth, Nabla.Cli.Plots.PanelHeight);
            var (rc3, _, e3) = CliRunner.Run("regress", Fixture("houses.csv"), "price ~ sqft", "--plot", Path.Combine(dir, "d.jpg"));
            Assert.Equal(2, rc3);
            Assert.Equal($"nabla regress: --plot '{Path.Combine(dir, "d.jpg")}' must be a .png file\n", e3.Replace("\r", ""));
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Decodes the PNG and checks each panel has drawn pixels of several colours (not a blank or single-colour image).</summary>
    private static void AssertPlot(string path, int width, int height)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(path);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        int panels = width / Nabla.Cli.Plots.PanelWidth;
        for (int p = 0; p < panels; p++)
        {
            int dark = 0, blue = 0;
            for (int x = p * Nabla.Cli.Plots.PanelWidth; x < (p + 1) * Nabla.Cli.Plots.PanelWidth; x += 2)
                for (int y = 0; y < height; y += 2)
                {
                    var c = bitmap.GetPixel(x, y);
                    if (c.Red < 100 && c.Green < 100 && c.Blue < 100) dark++;
                    if (c.Blue > 150 && c.Red < 100) blue++;
                }
            Assert.True(dark > 200, $"panel {p}: {dark} dark pixels (axes, labels)");
            Assert.True(blue > 30, $"panel {p}: {blue} blue pixels (the data)");
        }
    }
}
