;;; test.el --- headless Emacs + Eglot test of editors/emacs/jwt-lsp.el  -*- lexical-binding: t -*-
;; Started by run.sh: emacs --batch -q -l test.el   (-q, not -Q: Debian's site-start puts elpa-eglot on the load-path)
;; Env: JWT_SNIPPET (editors/emacs/jwt-lsp.el), JWT_WS (fixture workspace copy), JWT_NOW, LSP_TIMEOUT (s).
;; `jwt-lsp' must be on PATH (run.sh puts a wrapper there). Exit 0 pass, 1 fail.
(require 'flymake)
(defvar jt-timeout (string-to-number (or (getenv "LSP_TIMEOUT") "15")))
(defvar jt-failures 0)
(defun jt-log (fmt &rest args) (message "[emacs %s] %s" emacs-version (apply #'format fmt args)))
(defun jt-check (name ok &optional detail)
  (if ok (jt-log "ok: %s" name)
    (setq jt-failures (1+ jt-failures))
    (jt-log "FAIL: %s%s" name (if detail (format ": %s" detail) "")))
  ok)
(defun jt-finish ()
  (when (and (fboundp 'eglot-current-server) (eglot-current-server))
    (ignore-errors (eglot-shutdown (eglot-current-server))))
  (jt-log (if (= jt-failures 0) "all checks passed" (format "%d check(s) failed" jt-failures)))
  (kill-emacs (if (= jt-failures 0) 0 1)))
(defun jt-wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline)) (accept-process-output nil 0.05))
    (funcall pred)))

(condition-case err
    (progn
      ;; 1. the user's init: the snippet as shipped, plus the clock pin (a user would set it per project)
      (load (getenv "JWT_SNIPPET") nil t)
      (setq-default eglot-workspace-configuration `(:jwtLsp (:now ,(getenv "JWT_NOW"))))
      (defvar jt-root (file-name-as-directory (getenv "JWT_WS")))
      ;; no project hook: like a user's demo.env outside any VCS repository, Eglot uses a transient project
      (setq eglot-sync-connect jt-timeout eglot-connect-timeout (* 2 jt-timeout))

      ;; 2. open the .env file: the snippet's auto-mode entry and hook must start Eglot by themselves
      (find-file (expand-file-name "config.env" jt-root))
      (jt-check (format "config.env opens in conf-unix-mode (%s)" major-mode) (eq major-mode 'conf-unix-mode))
      ;; eglot-ensure connects from post-command-hook, which batch mode never runs: run it once
      (run-hooks 'post-command-hook)
      (jt-check "eglot-ensure started jwt-lsp" (jt-wait #'eglot-current-server jt-timeout))
      (unless (eglot-current-server) (jt-finish))
      (jt-log "server: %S" (plist-get (eglot--server-info (eglot-current-server)) :name))

      ;; 3. diagnostics through flymake
      (let ((d (jt-wait (lambda () (flymake-start)
                          (seq-find (lambda (d) (string-search "Token expired 30 days ago" (flymake-diagnostic-text d)))
                                    (flymake-diagnostics)))
                        jt-timeout)))
        (jt-check "flymake shows the token-expired diagnostic" d
                  (format "%S" (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
        (when d
          (jt-check "  on line 2 as a warning"
                    (and (= 2 (line-number-at-pos (flymake-diagnostic-beg d)))
                         (memq (flymake-diagnostic-type d) '(eglot-warning :warning warning)))
                    (format "line %d type %s" (line-number-at-pos (flymake-diagnostic-beg d)) (flymake-diagnostic-type d)))))

      ;; 4. hover on the token, through eldoc (what the user sees in the echo area)
      (goto-char (point-min)) (forward-line 1) (forward-char 20)
      (let (shown)
        (eglot-hover-eldoc-function (lambda (info &rest _) (setq shown (or info ""))))
        (jt-wait (lambda () shown) jt-timeout)
        (jt-check "eldoc hover has the payload and expiry"
                  (and shown (string-search "\"sub\": \"alice\"" shown) (string-search "expired 30 days ago" shown))
                  (and shown (substring shown 0 (min 200 (length shown)))))))
  (error (jt-check "no Lisp error" nil (format "%S" err))))
(jt-finish)
