;;; jwt-lsp.el --- jwt-lsp with Eglot  -*- lexical-binding: t -*-
;; Copy into your init file. Needs Eglot: built into Emacs 29+; on Emacs 26.3-28
;; `M-x package-install RET eglot' (or Debian/Ubuntu: apt install elpa-eglot).
;; `jwt-lsp' must be on `exec-path' (or write its full path below).
;;
;; Eglot runs one language server per buffer, so jwt-lsp is registered for config and text files,
;; where no other server competes. To use it for code (JS/TS, Python, Go, Java, C#, Ruby, PHP, Rust:
;; verification-code checks)
;; instead of that language's server, add those modes to the list (see the commented line).

(require 'eglot)

;; .env files are `fundamental-mode' out of the box
(add-to-list 'auto-mode-alist '("\\.env\\(\\..*\\)?\\'" . conf-unix-mode))

(add-to-list 'eglot-server-programs
             `((conf-unix-mode conf-mode conf-toml-mode conf-space-mode conf-javaprop-mode
                yaml-mode yaml-ts-mode json-mode json-ts-mode js-json-mode toml-ts-mode
                markdown-mode gfm-mode text-mode restclient-mode
                ;; js-mode js-ts-mode typescript-mode typescript-ts-mode tsx-ts-mode
                ;; python-mode python-ts-mode go-mode go-ts-mode java-mode java-ts-mode csharp-mode csharp-ts-mode
                ;; ruby-mode ruby-ts-mode php-mode php-ts-mode rust-mode rust-ts-mode
                )
               . ("jwt-lsp")))

;; Settings, sent to the server (workspace/configuration and didChangeConfiguration).
;; Per project, put the same plist in .dir-locals.el: ((nil (eglot-workspace-configuration . (:jwtLsp (...))))).
(setq-default eglot-workspace-configuration
              '(:jwtLsp (:leeway 60
                         ;; :now "2026-01-01T00:00:00Z"          ; pin the clock (tests, demos)
                         ;; :severity (:token-no-expiry "off")
                         ;; :diagnosticsScope "openFiles"        ; default "workspace": unopened files too
                         )))

;; Start automatically in those modes (or run M-x eglot by hand).
(dolist (hook '(conf-unix-mode-hook conf-toml-mode-hook yaml-mode-hook yaml-ts-mode-hook json-ts-mode-hook
                markdown-mode-hook))
  (add-hook hook #'eglot-ensure))
;; plain .txt files, but not the many modes derived from text-mode (Org, commit messages, ...)
(add-hook 'text-mode-hook (lambda () (when (eq major-mode 'text-mode) (eglot-ensure))))

;; Hover: the decoded token shows in the echo area (eldoc); `M-x eldoc-doc-buffer' shows all of it.
;;; jwt-lsp.el ends here
