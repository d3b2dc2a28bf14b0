using System.Runtime.Intrinsics;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The trend window's sums for both line fits, in coordinates counted from the newest observation (u = x − x[0],
/// v = y − y[0]): that observation's own terms are then exactly zero, so the fit one observation ago is the same sums
/// over one observation fewer. One pass, four observations at a time; the fits use the one-pass formulas
/// (Σuu − Σu·Σu/n, ...). Algebraically these are the centred sums of the plain two-pass fit, rounded in another
/// order (<c>TrendPredictorExactnessTests</c> pin the slope within 1e-9 of it, the t statistic within 1e-6).
/// </summary>
internal readonly struct TrendWindow
{
    private readonly double _x0;
    private readonly double _y0;
    private readonly double _su;
    private readonly double _sv;
    private readonly double _suu;
    private readonly double _suv;
    private readonly double _svv;

    private TrendWindow(double x0, double y0, double su, double sv, double suu, double suv, double svv) =>
        (_x0, _y0, _su, _sv, _suu, _suv, _svv) = (x0, y0, su, sv, suu, suv, svv);

    /// <summary>The sums over <paramref name="x"/> and <paramref name="y"/> (the same length, newest first, at least one).</summary>
    public static TrendWindow Of(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = x.Length;
        y = y[..n];
        double x0 = x[0], y0 = y[0];
        var origin = (X: Vector256.Create(x0), Y: Vector256.Create(y0));
        Vector256<double> su = default, sv = default, suu = default, suv = default, svv = default;
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var u = Vector256.Create(x[i..]) - origin.X;
            var v = Vector256.Create(y[i..]) - origin.Y;
            su += u;
            sv += v;
            suu += u * u;
            suv += u * v;
            svv += v * v;
        }

        double sumU = Vector256.Sum(su), sumV = Vector256.Sum(sv), sumUU = Vector256.Sum(suu), sumUV = Vector256.Sum(suv), sumVV = Vector256.Sum(svv);
        for (; i < n; i++)
        {
            var u = x[i] - x0;
            var v = y[i] - y0;
            sumU += u;
            sumV += v;
            sumUU += u * u;
            sumUV += u * v;
            sumVV += v * v;
        }

        return new TrendWindow(x0, y0, sumU, sumV, sumUU, sumUV, sumVV);
    }

    /// <summary>
    /// Least squares over the first <paramref name="count"/> observations (the window), or over the window without
    /// its newest (count − 1: that observation adds nothing to the sums).
    /// </summary>
    public TrendLine Line(int count)
    {
        double n = count, mu = _su / n, mv = _sv / n;
        var suu = _suu - (_su * mu);
        var suv = _suv - (_su * mv);
        var svv = Math.Max(0, _svv - (_sv * mv));
        if (suu <= 0 || count < 3)
        {
            return new TrendLine(0, _y0 + mv, svv, 0);
        }

        var slope = suv / suu;
        var sse = Math.Max(0, svv - (slope * suv));
        var se = Math.Sqrt(sse / (count - 2) / suu);
        var t = se > 0 ? slope / se : slope > 0 ? double.PositiveInfinity : slope < 0 ? double.NegativeInfinity : 0;
        // v = a + slope·u, so y at x = 0 (the latest reading) is y0 + a − slope·x0.
        return new TrendLine(slope, _y0 + (mv - (slope * mu)) - (slope * _x0), sse, t);
    }
}

/// <summary>A least-squares line of y on x with its residual sum of squares and the slope's t statistic; <see cref="Intercept"/> is y at x = 0.</summary>
internal readonly record struct TrendLine(double Slope, double Intercept, double Sse, double T);
