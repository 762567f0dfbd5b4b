#include "ui/log_panel.hpp"

#include "redub/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include <QPointer>
#include <QScrollBar>

#include <mutex>

namespace redub::ui {
namespace {

// Holds a QPointer so a line logged after the panel died is dropped, not crashed on.
class PanelSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit PanelSink(LogPanel* panel) : panel_(panel) {
        formatter_ = std::make_unique<spdlog::pattern_formatter>("%H:%M:%S  %-6n %v");
    }
    void detach() {
        std::lock_guard lock(mutex_);
        panel_ = nullptr;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        if (!panel_) return;
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        QString line = QString::fromUtf8(buf.data(), int(buf.size())).trimmed();
        Q_EMIT panel_->lineLogged(int(msg.level), line);  // queued connection: safe from any thread
    }
    void flush_() override {}
    // Layer loggers set their (stderr) pattern on every sink; the panel keeps its own.
    void set_pattern_(const std::string&) override {}
    void set_formatter_(std::unique_ptr<spdlog::formatter>) override {}

private:
    LogPanel* panel_;
};

}  // namespace

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent) {
    setReadOnly(true);
    setMaximumBlockCount(5000);
    // Long paths wrap inside the dock instead of hiding behind a horizontal scroll bar.
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setObjectName(QStringLiteral("logPanel"));
    connect(this, &LogPanel::lineLogged, this, &LogPanel::append, Qt::QueuedConnection);
    sink_ = std::make_shared<PanelSink>(this);
    redub::log::addSink(sink_);
}

LogPanel::~LogPanel() {
    redub::log::removeSink(sink_);
    static_cast<PanelSink*>(sink_.get())->detach();
}

void LogPanel::append(int level, const QString& text) {
    QString colour = QStringLiteral("#b9bdc4");
    if (level >= spdlog::level::err)
        colour = QStringLiteral("#ff6b61");
    else if (level == spdlog::level::warn)
        colour = QStringLiteral("#e8b43c");
    else if (level <= spdlog::level::debug)
        colour = QStringLiteral("#6f747c");
    const bool atEnd = verticalScrollBar()->value() == verticalScrollBar()->maximum();
    appendHtml(QStringLiteral("<span style=\"color:%1\">%2</span>").arg(colour, text.toHtmlEscaped()));
    if (atEnd) verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

}  // namespace redub::ui
