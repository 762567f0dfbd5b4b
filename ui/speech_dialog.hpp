// "New Speech from Text...": the text, a voice (with a spoken preview) and the speaking
// rate. accept() only closes when the text can be spoken; otherwise the dialog says why
// and keeps what was typed.
#pragma once

#include <QDialog>

#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;

namespace redub::media {
class AudioPlayer;
}

namespace redub::ui {

class SpeechFromTextDialog : public QDialog {
    Q_OBJECT
public:
    explicit SpeechFromTextDialog(QWidget* parent = nullptr);
    ~SpeechFromTextDialog() override;

    QString text() const;
    QString voice() const;
    double rate() const;
    void setText(const QString& text);
    QString error() const;  // what the dialog says is wrong ("" when nothing)

    void accept() override;
    // Speaks the first sentence with the chosen voice and rate (silently without a device).
    void preview();

private:
    bool check();
    QPlainTextEdit* text_;
    QComboBox* voice_;
    QDoubleSpinBox* rate_;
    QLabel* error_;
    std::unique_ptr<media::AudioPlayer> player_;
};

}  // namespace redub::ui
