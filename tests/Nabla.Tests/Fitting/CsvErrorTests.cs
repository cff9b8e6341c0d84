using Nabla.Data;
using Nabla.Models;

namespace Nabla.Tests.Fitting;

/// <summary>Every way a CSV can be unfit for regression gets a message naming the row and column; nothing is dropped.</summary>
public sealed class CsvErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text, string name = "data.csv")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Error(string text, string target = "y", string[]? features = null)
    {
        string path = Write(text);
        var e = Assert.Throws<CsvDataException>(() => CsvRegression.Fit(path, target, features));
        return e.Message.Replace(path, "data.csv");
    }

    [Fact]
    public void A_non_number_names_row_line_and_column() =>
        Assert.Equal("row 2 (line 3), column 'b': 'abc' is not a number", Error("a,b,y\n1,2,3\n4,abc,6\n7,8,9\n"));

    [Fact]
    public void A_missing_value_names_row_line_and_column() =>
        Assert.Equal("row 3 (line 4), column 'a': the value is missing", Error("a,b,y\n1,2,3\n4,5,6\n,8,9\n"));

    [Fact]
    public void A_missing_target_value_is_an_error_too() =>
        Assert.Equal("row 1 (line 2), column 'y': the value is missing", Error("a,b,y\n1,2, \n4,5,6\n"));

    [Fact]
    public void A_non_finite_value_is_not_taken() =>
        Assert.Equal("row 2 (line 3), column 'a': 'NaN' is not a finite number", Error("a,b,y\n1,2,3\nNaN,5,6\n"));

    [Fact]
    public void A_ragged_row_is_reported() =>
        Assert.Equal("row 2 (line 3) has 2 fields, but the header has 3", Error("a,b,y\n1,2,3\n4,5\n7,8,9\n"));

    [Fact]
    public void A_row_with_too_many_fields_is_reported() =>
        Assert.Equal("row 1 (line 2) has 4 fields, but the header has 3", Error("a,b,y\n1,2,3,4\n"));

    [Fact]
    public void An_empty_file_is_reported() =>
        Assert.Equal("the file 'data.csv' is empty: there is no header row", Error(""));

    [Fact]
    public void A_header_without_rows_is_reported() =>
        Assert.Equal("the file 'data.csv' has a header but no data rows", Error("a,b,y\n"));

    [Fact]
    public void A_missing_target_column_lists_the_columns() =>
        Assert.Equal("the target column 'price' is not in the header of 'data.csv'; its columns are: a, b, y", Error("a,b,y\n1,2,3\n", "price"));

    [Fact]
    public void A_missing_feature_column_lists_the_columns() =>
        Assert.Equal("the feature column 'c' is not in the header of 'data.csv'; its columns are: a, b, y", Error("a,b,y\n1,2,3\n", "y", ["a", "c"]));

    [Fact]
    public void The_target_cannot_be_a_feature() =>
        Assert.Equal("the target column 'y' cannot also be a feature", Error("a,b,y\n1,2,3\n", "y", ["a", "y"]));

    [Fact]
    public void A_bad_value_deep_in_a_large_file_is_found_in_file_order()
    {
        // rows are parsed in parallel batches: the row counted must still be the row in the file, and the first bad one
        var sb = new System.Text.StringBuilder("a,y\n");
        for (int i = 1; i <= 50_000; i++) sb.Append(i == 40_000 ? "x" : i.ToString()).Append(',').Append(i == 45_000 ? "" : "1").Append('\n');
        Assert.Equal("row 40000 (line 40001), column 'a': 'x' is not a number", Error(sb.ToString()));
    }

    [Fact]
    public void A_missing_file_is_reported()
    {
        var e = Assert.Throws<CsvDataException>(() => CsvRegression.Fit(Path.Combine(_dir, "nope.csv"), "y"));
        Assert.Equal($"the file '{Path.Combine(_dir, "nope.csv")}' does not exist", e.Message);
    }

    [Fact]
    public void Unused_columns_may_hold_text()
    {
        var fit = CsvRegression.Fit(Write("id,a,y\nfirst,1,2.1\nsecond,2,3.9\nthird,3,6.2\nfourth,4,7.8\n"), "y", ["a"]);
        Assert.Equal(4, fit.N);
        Assert.Equal(["a"], fit.FeatureNames);
    }

    [Fact]
    public void Large_files_stream_in_chunks_and_match_the_in_memory_fit()
    {
        // more rows than a chunk and than the keep-rows limit: the streamed normal equations must agree with the in-memory fit
        var rng = new Random(7);
        int n = 3 * CsvSource.ChunkRows + 17, d = 3;
        var x = new double[n * d];
        var y = new double[n];
        var sb = new System.Text.StringBuilder("a,b,c,y\n");
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = Math.Round(rng.NextDouble() * 10 + 1000 * j, 6);
            y[i] = Math.Round(1 + 2 * x[i * d] - x[i * d + 1] + 0.5 * x[i * d + 2] + rng.NextDouble(), 6);
            sb.Append(string.Join(',', Enumerable.Range(0, d).Select(j => x[i * d + j].ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            sb.Append(',').Append(y[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        var streamed = CsvRegression.Fit(Write(sb.ToString()), "y", null, new RegressionOptions { Solver = Solver.Normal });
        var memory = LinearRegression.Fit(x, n, d, y, new RegressionOptions { Solver = Solver.Svd });
        Assert.Equal(n, streamed.N);
        for (int j = 0; j < d + 1; j++) FixtureTests.Close(memory.Table[j].Estimate, streamed.Table[j].Estimate, 1e-9, streamed.Table[j].Name);
        FixtureTests.Close(memory.RSquared, streamed.RSquared, 1e-9, "R²");
        FixtureTests.Close(memory.Table[1].StdError, streamed.Table[1].StdError, 1e-6, "std error");
    }

    [Fact]
    public void Predictions_append_a_column()
    {
        var fit = CsvRegression.Fit(Write("a,y\n1,3\n2,5\n3,7\n"), "y");
        var sw = new StringWriter();
        long n = CsvRegression.Predict(Write("a\n10\n0.5\n", "new.csv"), fit, sw);
        Assert.Equal(2, n);
        var lines = sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("a,prediction", lines[0]);
        Assert.StartsWith("10,", lines[1]);
        Assert.Equal(21.0, double.Parse(lines[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Equal(2.0, double.Parse(lines[2].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 9);
    }
}
