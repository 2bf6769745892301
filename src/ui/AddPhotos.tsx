import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useCoachStoreApi } from '../store/react';
import { useT } from './useT';

const filesOf = (list: FileList | null | undefined): File[] => (list ? [...list] : []);

/** File picker, camera capture, drag and drop, and paste. */
export function AddPhotos() {
  const t = useT();
  const store = useCoachStoreApi();
  const pick = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const add = (files: File[]) => files.length && store.getState().addFiles(files);

  // one listener for the component's life: it reads the store when a paste comes
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const files = filesOf(e.clipboardData?.files);
      if (!files.length) return;
      e.preventDefault();
      store.getState().addFiles(files);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [store]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    add(filesOf(e.dataTransfer?.files));
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; keyboard and screen-reader users add photos with the buttons inside it
    <div
      className={`add${over ? ' add-over' : ''}`}
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <div className="add-buttons">
        <button type="button" className="primary" onClick={() => pick.current?.click()}>
          {t('addPhotos')}
        </button>
        <button type="button" onClick={() => camera.current?.click()}>
          {t('takePhoto')}
        </button>
      </div>
      <p className="add-hint">{over ? t('dropActive') : t('dropHint')}</p>
      <input
        ref={pick}
        hidden
        type="file"
        multiple
        accept="image/*"
        data-testid="file-input"
        onChange={(e) => {
          add(filesOf(e.currentTarget.files));
          e.currentTarget.value = '';
        }}
      />
      <input
        ref={camera}
        hidden
        type="file"
        accept="image/*"
        capture="environment"
        data-testid="camera-input"
        onChange={(e) => {
          add(filesOf(e.currentTarget.files));
          e.currentTarget.value = '';
        }}
      />
    </div>
  );
}
