// "Learn This Speaker...": how long to train on the clip, where the speaker's model goes
// (next to the project, else next to the video) and what the last run measured.
#pragma once

#include <QDialog>

class QSpinBox;
class QLabel;

namespace redub::ui {

class LearnSpeakerDialog : public QDialog {
    Q_OBJECT
public:
    // `model` is the file the speaker's model is written to (see speakerModelPath()).
    LearnSpeakerDialog(const QString& video, const QString& model, QWidget* parent = nullptr);

    int minutes() const;
    void setMinutes(int minutes);

    // "<project>.speaker.safetensors" beside a saved project, else "<video>.speaker.safetensors"
    // beside the video.
    static QString speakerModelPath(const QString& project_file, const QString& video);

private:
    QSpinBox* minutes_;
};

}  // namespace redub::ui
