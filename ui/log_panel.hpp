// The log panel: a spdlog sink (added with redub::log::addSink) that forwards
// every core/media/model log line to a read-only text view through a queued
// signal, so lines logged on worker threads are appended on the GUI thread.
#pragma once

#include <QPlainTextEdit>

#include <memory>

namespace spdlog::sinks {
class sink;
}

namespace redub::ui {

class LogPanel : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit LogPanel(QWidget* parent = nullptr);
    ~LogPanel() override;

    // Lines shown so far (tests).
    int lineCount() const { return blockCount(); }

Q_SIGNALS:
    // Emitted from any thread; connected queued to append().
    void lineLogged(int level, const QString& text);

private:
    void append(int level, const QString& text);
    std::shared_ptr<spdlog::sinks::sink> sink_;
};

}  // namespace redub::ui
