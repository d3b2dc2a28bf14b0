using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ScaleControl.Testing.Logging;

/// <summary>Every line a host logs at Information and above, with its category, level and whether it carried an exception (a stack trace).</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();

    public IReadOnlyList<Line> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    public sealed record Line(string Category, LogLevel Level, string Message, bool HasException)
    {
        public override string ToString() => $"{Level} {Category}: {Message}{(HasException ? " (+ stack trace)" : "")}";
    }

    private sealed class Logger(string category, ConcurrentQueue<Line> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.Enqueue(new Line(category, logLevel, formatter(state, exception), exception is not null));
            }
        }
    }
}
